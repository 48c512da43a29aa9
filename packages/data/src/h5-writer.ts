// Writes a 3D MNIST HDF5 file with Kaggle's layout and dtypes (X float64 (N, 4096), y int64 (N,)), atomically:
// the file appears under its name complete, or not at all.
import { writeAtomic } from '@conv3d/core/node';
import { DataError } from './errors.js';
import { h5Reason, loadH5 } from './h5.js';
import { datasetNames, ROW_LENGTH, type Split } from './layout.js';

export type Compression = 'gzip' | 'none';

export interface SplitArrays {
  x: Float64Array;
  y: Int32Array;
}

/** Rows per HDF5 chunk: 512 KiB, small enough for HDF5's default 1 MiB chunk cache when reading slices. */
const CHUNK_ROWS = 16;

export async function writeDatasetFile(
  path: string,
  splits: Readonly<Record<Split, SplitArrays>>,
  compression: Compression,
): Promise<void> {
  const h5 = await loadH5();
  try {
    await writeAtomic(path, (tmp) => {
      const file = new h5.File(tmp, 'w');
      try {
        for (const split of ['train', 'test'] as const) {
          const { x, y } = splits[split];
          const rows = y.length;
          const names = datasetNames(split);
          const chunked =
            compression === 'gzip'
              ? {
                  chunks: [Math.max(1, Math.min(CHUNK_ROWS, rows)), ROW_LENGTH],
                  compression: 'gzip' as const,
                }
              : {};
          file.create_dataset({ name: names.x, data: x, shape: [rows, ROW_LENGTH], dtype: '<d', ...chunked });
          file.create_dataset({
            name: names.y,
            data: BigInt64Array.from(y, (v) => BigInt(v)),
            shape: [rows],
            dtype: '<q',
          });
        }
      } finally {
        file.close();
      }
    });
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${path}: cannot write HDF5 file (${h5Reason(error)})`);
  }
}
