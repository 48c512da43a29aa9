import { readFileSync } from 'node:fs';
import { orangesRgb, preprocessBatch as preprocessWith, type RawVoxels, SEED_CONTRACT } from '@conv3d/core';
import { describe, expect, it } from 'vitest';
import { oneHot, validationSplitIndex } from '../src/keras.js';

// The seed's preprocessing lives in @conv3d/core ('oranges-rgb'); the matplotlib fixtures live here with the
// recipe that makes their real rows.
const preprocessBatch = (raw: RawVoxels, count?: number) => preprocessWith(SEED_CONTRACT, raw, count);
const preprocessSample = (src: RawVoxels, srcOffset: number, dst: Float32Array, dstOffset: number) =>
  orangesRgb.apply(src, srcOffset, 4096, 1, dst, dstOffset);

interface Sample {
  name: string;
  dtype: 'float64' | 'float32';
  formula?: string;
  input?: [number, number][];
  palette: string;
  codes: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/preprocess/oranges.json', import.meta.url), 'utf8'),
) as { samples: Sample[]; validationSplit: { rows: number; split: number; index: number }[] };

/** The formulas of scripts/make-preprocess-fixtures.py, over voxel index i. */
const FORMULAS: Record<string, (i: number) => number> = {
  dense: (i) => ((i * 7919) % 998) / 997,
  zero: () => 0,
  half: () => 0.5,
  one: () => 1,
  steps: (i) => (((i * 31 + Math.floor(i / 8)) % 4) + 1) * 0.25,
  narrow: (i) => 0.3 + ((i * 613) % 1000) * 1e-7,
};

function inputOf(sample: Sample): Float32Array | Float64Array {
  const values = new Float64Array(4096);
  if (sample.formula) {
    const f = FORMULAS[sample.formula];
    if (!f) throw new Error(`unknown formula ${sample.formula}`);
    for (let i = 0; i < 4096; i++) values[i] = f(i);
  } else {
    for (const [i, v] of sample.input ?? []) values[i] = v;
  }
  return sample.dtype === 'float32' ? Float32Array.from(values) : values;
}

/** matplotlib's float32 output, rebuilt from palette + codes. */
function expectedOf(sample: Sample): Float32Array {
  const palette = new Float32Array(new Uint8Array(Buffer.from(sample.palette, 'base64')).buffer);
  const codes = Buffer.from(sample.codes, 'base64');
  const out = new Float32Array(4096 * 3);
  for (let i = 0; i < 4096; i++) {
    const code = (codes[i] as number) * 3;
    out.set(palette.subarray(code, code + 3), i * 3);
  }
  return out;
}

describe('preprocessSample against matplotlib ScalarMappable("Oranges").to_rgba(v)[:, :-1]', () => {
  it.each(fixture.samples.map((s) => [s.name, s] as const))('%s: within 1e-7', (_, sample) => {
    const out = new Float32Array(4096 * 3);
    preprocessSample(inputOf(sample), 0, out, 0);
    const expected = expectedOf(sample);
    let worst = 0;
    for (let i = 0; i < out.length; i++)
      worst = Math.max(worst, Math.abs((out[i] as number) - (expected[i] as number)));
    expect(worst).toBeLessThanOrEqual(1e-7);
  });

  it('a batch equals its samples one by one, at any offset', () => {
    const samples = fixture.samples.filter((s) => s.dtype === 'float64').slice(0, 3);
    const raw = new Float64Array(samples.length * 4096);
    samples.forEach((s, k) => {
      raw.set(inputOf(s), k * 4096);
    });
    const batch = preprocessBatch(raw);
    expect(batch.length).toBe(samples.length * 4096 * 3);
    samples.forEach((_, k) => {
      const one = new Float32Array(4096 * 3);
      preprocessSample(raw, k * 4096, one, 0);
      expect(batch.subarray(k * 4096 * 3, (k + 1) * 4096 * 3)).toEqual(one);
    });
    expect(() => preprocessBatch(raw, 4)).toThrow(RangeError);
  });

  it('empty voxels of a real sample map to Oranges(0) = (1, 0.961, 0.922), not 0', () => {
    const out = preprocessBatch(inputOf(fixture.samples[0] as Sample));
    expect(out[0]).toBe(1);
    expect(out[1]).toBeCloseTo(0.9607843, 7);
    expect(out[2]).toBeCloseTo(0.9215686, 7);
  });
});

describe('Keras semantics', () => {
  it('oneHot is to_categorical: float32 rows with a single 1', () => {
    expect([...oneHot([3, 0, 9])]).toEqual([
      ...[0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      ...[1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      ...[0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    ]);
    expect([...oneHot(new BigInt64Array([2n]), 3)]).toEqual([0, 0, 1]);
    expect(oneHot([1])).toBeInstanceOf(Float32Array);
  });

  it.each(fixture.validationSplit.map((v) => [v.rows, v.split, v.index]))(
    'validation_split: %i rows, split %f → validation starts at row %i (the last rows, unshuffled)',
    (rows, split, index) => {
      expect(validationSplitIndex(rows, split)).toBe(index);
    },
  );

  it('rejects a split outside [0, 1)', () => {
    expect(() => validationSplitIndex(100, 1)).toThrow(RangeError);
    expect(() => validationSplitIndex(100, -0.1)).toThrow(RangeError);
  });
});
