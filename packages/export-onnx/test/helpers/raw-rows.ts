import { Rng, SEED_CONTRACT } from '@conv3d/core';

const VOXELS = SEED_CONTRACT.rawLength;

/** Named edge rows of `values` values each: the cases the JS preprocessing handles specially or that round oddly. */
export function edgeRows(values: number): { name: string; row: Float32Array }[] {
  const filled = (v: number) => new Float32Array(values).fill(v);
  const one = new Float32Array(values);
  one[values >> 1] = 0.37;
  const tiny = new Rng(91).floats(values, 0, 1e-30);
  tiny[3] = 1e-30;
  const unit = new Rng(92).floats(values, 0, 1);
  unit[7] = 1;
  const signed = new Rng(93).floats(values, -3, 5);
  return [
    { name: 'constant sample', row: filled(0.625) },
    { name: 'all-zero sample', row: filled(0) },
    { name: 'one non-zero voxel', row: one },
    { name: 'max at 1', row: unit },
    { name: 'max at 1e-30', row: tiny },
    { name: 'negative and positive values', row: signed },
  ];
}

/** 3D MNIST-like raw rows (float32): a few hundred voxels with point counts, divided by the row's max (as in full_dataset_vectors.h5). */
export function realisticRawRows(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const raw = new Float32Array(count * VOXELS);
  for (let s = 0; s < count; s++) {
    const row = raw.subarray(s * VOXELS, (s + 1) * VOXELS);
    const occupied = rng.int(150, 500);
    for (let i = 0; i < occupied; i++) row[rng.int(0, VOXELS - 1)] = rng.int(1, 40);
    const max = row.reduce((m, v) => Math.max(m, v), 0);
    for (let i = 0; i < VOXELS; i++) row[i] = (row[i] as number) / max;
  }
  return raw;
}

export function concatRows(rows: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  let o = 0;
  for (const r of rows) {
    out.set(r, o);
    o += r.length;
  }
  return out;
}

/** The contract's `minmax` in float32 arithmetic, step by step as numpy does for float32 data. */
export function minmaxFloat32(rows: Float32Array, values: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let s = 0; s < rows.length / values; s++) {
    const row = rows.subarray(s * values, (s + 1) * values);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of row) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const range = Math.fround(max - min);
    for (let i = 0; i < values; i++) {
      out[s * values + i] = range === 0 ? 0 : Math.fround(Math.fround((row[i] as number) - min) / range);
    }
  }
  return out;
}
