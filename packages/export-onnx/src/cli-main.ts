// conv3d-export <run-dir|model.json> [--out model.onnx]
import { parseArgs } from 'node:util';
import { ExportError, oneLine } from './errors.js';
import { exportModelFile } from './export-file.js';

const USAGE = 'usage: conv3d-export <run-dir|model.json> [--out model.onnx]';

export interface CliIo {
  log(line: string): void;
  error(line: string): void;
}

/** Runs the CLI; returns the exit code. Every failure is one line on `io.error`. */
export async function runCli(argv: readonly string[], io: CliIo = console): Promise<number> {
  let input: string;
  let out: string;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
    if (values.help) {
      io.log(USAGE);
      return 0;
    }
    if (positionals.length !== 1)
      throw new ExportError(`expected one input, got ${positionals.length}; ${USAGE}`);
    input = positionals[0] as string;
    out = values.out ?? 'model.onnx';
  } catch (error) {
    io.error(`conv3d-export: ${oneLine((error as Error).message)}`);
    return 2;
  }
  try {
    const result = await exportModelFile(input, out);
    const ops = Object.entries(result.opTypes)
      .map(([op, n]) => `${op}×${n}`)
      .join(' ');
    const accuracy =
      result.testAccuracy === undefined ? 'unknown' : `${(result.testAccuracy * 100).toFixed(2)} %`;
    io.log(
      `wrote ${out}: ${result.bytes} bytes, ${result.nodes} nodes (${ops}), ${result.parameters} parameters, test accuracy ${accuracy}`,
    );
    return 0;
  } catch (error) {
    io.error(`conv3d-export: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
}
