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
