// conv3d-export's ensemble inputs: several run folders, or one ensemble run folder (conv3d-ensemble's, whose
// run.json lists the members and whose metrics.json holds the ensemble's test accuracy).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { oneLine } from '@conv3d/core/node';
import { type EnsembleOptions, exportEnsembleFile } from './ensemble.js';
import { ExportError } from './errors.js';
import { readTestAccuracy } from './export-file.js';

/** The member run folders an ensemble run folder's run.json lists, or undefined for any other input. */
export function ensembleRunMembers(input: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(join(input, 'run.json'), 'utf8');
  } catch {
    return undefined;
  }
  let run: unknown;
  try {
    run = JSON.parse(text);
  } catch (error) {
    throw new ExportError(
      `${join(input, 'run.json')}: not valid JSON (${oneLine((error as Error).message)})`,
    );
  }
  const members = (run as { ensemble?: { members?: unknown } } | null)?.ensemble?.members;
  if (members === undefined) return undefined;
  if (!Array.isArray(members) || !members.every((m) => typeof m?.runDir === 'string')) {
    throw new ExportError(
      `${join(input, 'run.json')}: 'ensemble.members' must be a list of {"runDir": string}`,
    );
  }
  return members.map((m: { runDir: string }) => resolve(input, m.runDir));
}

/**
 * Exports an ensemble when the inputs are several run folders or one ensemble run folder; returns the CLI's
 * line, or undefined when the input is a single model (the plain export).
 */
export async function exportEnsemble(
  inputs: readonly string[],
  out: string,
  options: EnsembleOptions,
): Promise<string | undefined> {
  const listed = inputs.length === 1 ? ensembleRunMembers(inputs[0] as string) : undefined;
  if (inputs.length === 1 && listed === undefined) return undefined;
  const testAccuracy = listed ? await readTestAccuracy(inputs[0] as string) : undefined;
  const result = await exportEnsembleFile(listed ?? inputs, out, {
    ...options,
    ...(testAccuracy !== undefined && { testAccuracy }),
  });
  const pct = (a: number | undefined) => (a === undefined ? 'unknown' : `${(a * 100).toFixed(2)} %`);
  const members = result.members.map((m) => `${m.name} ${pct(m.testAccuracy)}`).join(', ');
  return `wrote ${out}: ${result.bytes} bytes, ${result.nodes} nodes, ${result.parameters} parameters, the mean of ${result.members.length} members (${members}), test accuracy ${pct(result.testAccuracy)}`;
}
