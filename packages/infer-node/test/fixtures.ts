import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runPredict } from '../src/predict-command.js';

export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

interface ExpectedJson {
  raw_eighths: number[][];
  probabilities: number[][];
  argmax: number[];
}

/** tiny.onnx's reference: raw samples and float64 numpy probabilities (scripts/make-test-model.py). */
export function tinyExpected(): { raw: Float64Array[]; probabilities: number[][]; argmax: number[] } {
  const doc = JSON.parse(readFileSync(fixture('tiny-expected.json'), 'utf8')) as ExpectedJson;
  return {
    raw: doc.raw_eighths.map((row) => Float64Array.from(row, (v) => v / 8)),
    probabilities: doc.probabilities,
    argmax: doc.argmax,
  };
}

/** Largest |a − b| over two equally long sequences. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

interface V2Json {
  labels: string[];
  raw_sixteenths: number[][];
  probabilities: number[][];
  argmax: number[];
}

/** minmax.onnx / raw-input.onnx's reference: raw rows of grid [2, 4, 8] × 2 channels and float64 numpy softmax. */
export function v2Expected(): {
  labels: string[];
  raw: Float64Array[];
  probabilities: number[][];
  argmax: number[];
} {
  const doc = JSON.parse(readFileSync(fixture('v2-expected.json'), 'utf8')) as V2Json;
  return {
    labels: doc.labels,
    raw: doc.raw_sixteenths.map((row) => Float64Array.from(row, (v) => v / 16)),
    probabilities: doc.probabilities,
    argmax: doc.argmax,
  };
}

/** Runs conv3d-predict in-process: its exit code and the lines it logged and printed as errors. */
export async function runPredictLines(
  ...argv: string[]
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPredict(argv, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out, err };
}
