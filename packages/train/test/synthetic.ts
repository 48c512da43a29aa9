// A small in-memory dataset with the reader's interface: each class lights a different slab of the grid, so
// a tiny model learns something in a few steps. Values are in [0, 1] with a max of 1 per row, like 3D MNIST.
import { mulberry32 } from '@conv3d/core';
import type { Split, SplitData } from '@conv3d/data';
import type { TrainingData } from '../src/batches.js';

const VOXELS = 4096;

function makeSplit(
  rows: number,
  seed: number,
  dtype: 'float32' | 'float64',
): { x: Float32Array | Float64Array; y: Int32Array } {
  const random = mulberry32(seed);
  const x = dtype === 'float32' ? new Float32Array(rows * VOXELS) : new Float64Array(rows * VOXELS);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const label = r % 10;
    y[r] = label;
    for (let v = 0; v < VOXELS; v++) {
      const z = Math.floor(v / 256);
      const slab = Math.floor(z / 1.6) === label;
      x[r * VOXELS + v] = slab ? 0.5 + 0.5 * random() : 0.3 * random();
    }
    x[r * VOXELS + label * 400] = 1;
  }
  return { x, y };
}

export function syntheticDataset(
  rows: { train: number; test: number },
  { seed = 7, dtype = 'float64' as 'float32' | 'float64', path = 'synthetic.h5' } = {},
): TrainingData {
  const splits: Record<Split, { x: Float32Array | Float64Array; y: Int32Array }> = {
    train: makeSplit(rows.train, seed, dtype),
    test: makeSplit(rows.test, seed + 1, dtype),
  };
  const read = (split: Split, start = 0, count?: number): SplitData => {
    const s = splits[split];
    const n = count ?? s.y.length - start;
    return { x: s.x.slice(start * VOXELS, (start + n) * VOXELS), y: s.y.slice(start, start + n), count: n };
  };
  return {
    path,
    count: (split) => splits[split].y.length,
    read,
    *batches(split, batchSize, range = {}) {
      const end = range.end ?? splits[split].y.length;
      for (let s = range.start ?? 0; s < end; s += batchSize)
        yield read(split, s, Math.min(batchSize, end - s));
    },
    close: () => {},
  };
}
