// Writes a small 3D MNIST-layout HDF5 file (Kaggle's dataset names and dtypes) for the CLI tests.

import h5wasm from 'h5wasm/node';
import type { TrainingData } from '../src/batches.js';

export async function writeH5(path: string, ds: TrainingData): Promise<void> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'w');
  try {
    for (const split of ['train', 'test'] as const) {
      const { x, y, count } = ds.read(split);
      const suffix = split === 'train' ? 'train' : 'test';
      file.create_dataset({
        name: `X_${suffix}`,
        data: Float64Array.from(x),
        shape: [count, 4096],
        dtype: '<d',
      });
      file.create_dataset({
        name: `y_${suffix}`,
        data: BigInt64Array.from(y, (v) => BigInt(v)),
        shape: [count],
        dtype: '<q',
      });
    }
  } finally {
    file.close();
  }
}
