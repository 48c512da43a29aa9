// The rows scripts/make-h5-fixtures.py writes, recomputed independently for the reader tests.
import { fileURLToPath } from 'node:url';

export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/h5/${name}`, import.meta.url));

export const FIXTURE_LABELS = { train: [3, 0, 9], test: [7, 1] } as const;

export function fixtureRows(n: number): Float64Array {
  const out = new Float64Array(n * 4096);
  for (let i = 0; i < n; i++) {
    const counts = new Float64Array(4096);
    let max = 0;
    for (let j = 0; j < 4096; j++) {
      const c = j % 5 === 0 ? (j * (i + 3)) % 11 : 0;
      counts[j] = c;
      if (c > max) max = c;
    }
    for (let j = 0; j < 4096; j++) out[i * 4096 + j] = (counts[j] as number) / max;
  }
  return out;
}

/** scripts/make-h5-fixtures.py's VALUE: what c in 0..10 becomes in each stored dtype of the general files. */
const VALUE: Record<string, (c: number) => number> = {
  float: (c) => (c - 3) / 4,
  int8: (c) => c * 12 - 60,
  uint8: (c) => c * 25,
  int16: (c) => c * 3000 - 15000,
  uint16: (c) => c * 6000,
};

/** Rows of the general 3×4×5 files: row i, value j is VALUE(c) with c = (j·(i + 3)) mod 11. */
export function generalRows(n: number, kind: keyof typeof VALUE, channels = 1): Float64Array {
  const length = 60 * channels;
  const value = VALUE[kind] as (c: number) => number;
  const out = new Float64Array(n * length);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < length; j++) out[i * length + j] = value((j * (i + 3)) % 11);
  return out;
}
