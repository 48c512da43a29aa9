import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The small test model infer-node ships, and its float64 numpy reference (infer-node's make-test-model.py). */
export const TINY = fileURLToPath(new URL('../../infer-node/fixtures/tiny.onnx', import.meta.url));
const EXPECTED = fileURLToPath(new URL('../../infer-node/fixtures/tiny-expected.json', import.meta.url));

interface ExpectedJson {
  raw_eighths: number[][];
  probabilities: number[][];
  argmax: number[];
}

const doc = JSON.parse(readFileSync(EXPECTED, 'utf8')) as ExpectedJson;
/** Raw rows whose values are multiples of 1/8: exact in FP16, FP32 and FP64 alike. */
export const ROWS: number[][] = doc.raw_eighths.map((row) => row.map((v) => v / 8));
export const PROBABILITIES = doc.probabilities;
export const ARGMAX = doc.argmax;

/** Largest |a − b| over two equally long sequences. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** A binary-extension request body: the JSON header, then the tensors' bytes. */
export function binaryBody(header: object, ...tensors: Uint8Array[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([json, ...tensors]), headerLength: json.byteLength };
}

export const bytesOf = (values: ArrayBufferView): Uint8Array =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

/** Float32 → IEEE half bits, for values exactly representable in FP16 (the test rows are). */
export function toHalf(values: number[]): Uint16Array {
  const out = new Uint16Array(values.length);
  values.forEach((v, i) => {
    if (v === 0) return;
    const exponent = Math.floor(Math.log2(Math.abs(v)));
    const fraction = Math.round((Math.abs(v) / 2 ** exponent - 1) * 1024);
    out[i] = (v < 0 ? 0x8000 : 0) | ((exponent + 15) << 10) | fraction;
  });
  return out;
}
