// Writes a 3D MNIST HDF5 file with Kaggle's layout and dtypes (X float64 (N, n³), or float32 on request; y int64
// (N,)) plus `grid`, `labels` and `rotated_copies` attributes. It writes where it is told (the builder gives it writeAtomic's temporary path). Rows arrive
// in blocks; a split that fits in memory is written at the end as one contiguous dataset (like Kaggle's file: the
// fastest to read), a larger one is streamed block by block into a chunked dataset.
import { isDiskFull, writeAtomic } from '@conv3d/core/node';
import type { Dataset, File } from 'h5wasm/node';
import { VOXEL_ARRAY, type VoxelArray, type VoxelType } from './build-dtype.js';
import { DataError } from './errors.js';
import { h5Reason, loadH5 } from './h5.js';
import { datasetNames, SPLITS, type Split } from './layout.js';

export type Compression = 'gzip' | 'none';
const HDF5_TYPE: Readonly<Record<VoxelType, string>> = { float64: '<d', float32: '<f' };

export interface DatasetFileLayout {
  rows: Readonly<Record<Split, number>>;
  /** Voxels per axis: rows hold grid³ values. */
  grid: number;
  labels: readonly string[];
  compression: Compression;
  dtype: VoxelType;
  /** Rotated copies per original (the `rotated_copies` attribute: rows come in groups of 1 + copies). */
  copies: number;
  /** Bytes of X per split above which rows are streamed (default IN_MEMORY_LIMIT). */
  inMemoryLimit?: number;
}

/** Default bytes of X per split above which rows are streamed to disk instead of kept for one contiguous write. */
export const IN_MEMORY_LIMIT = 1 << 30;
/** Bytes per HDF5 chunk: 16 rows of 16³ float64 (32 of float32), small enough for HDF5's 1 MiB chunk cache. */
const CHUNK_BYTES = 512 * 1024;

interface SplitSink {
  rows: number;
  /** Whole X when kept in memory; undefined when streamed into `dataset`. */
  x?: VoxelArray;
  dataset?: Dataset;
  y: Int32Array;
}

export interface DatasetFileWriter {
  /** Rows per block that keeps streamed writes on whole chunks. */
  readonly blockAlign: number;
  /** Writes rows `[start, start + y.length)` of `split`. */
  write(split: Split, start: number, x: VoxelArray, y: Int32Array): void;
  /** Writes what is left and closes the file. */
  finish(): void;
  /** Closes the file after a failure (its caller removes it). */
  abort(): void;
}

/** Creates the file at `tmp`; errors name `path`, the file the user asked for. */
export async function createDatasetFile(
  path: string,
  tmp: string,
  layout: DatasetFileLayout,
): Promise<DatasetFileWriter> {
  const h5 = await loadH5();
  const rowLength = layout.grid ** 3;
  const Voxels = VOXEL_ARRAY[layout.dtype];
  const rowBytes = rowLength * Voxels.BYTES_PER_ELEMENT;
  const dtype = HDF5_TYPE[layout.dtype];
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  let file: File | undefined;
  const fail = (error: unknown): never => {
    closeQuietly(file);
    file = undefined;
    throw writeFailure(path, error);
  };
  const sinks = {} as Record<Split, SplitSink>;
  try {
    file = new h5.File(tmp, 'w');
    for (const split of SPLITS) {
      const rows = layout.rows[split];
      const sink: SplitSink = { rows, y: new Int32Array(rows) };
      if (rows * rowBytes <= (layout.inMemoryLimit ?? IN_MEMORY_LIMIT)) {
        sink.x = new Voxels(rows * rowLength);
      } else {
        const dataset = file.create_dataset({
          name: datasetNames(split).x,
          data: new Voxels(0),
          shape: [0, rowLength],
          maxshape: [rows, rowLength],
          chunks: [chunkRows, rowLength],
          dtype,
          ...(layout.compression === 'gzip' ? { compression: 'gzip' as const } : {}),
        });
        dataset.resize([rows, rowLength]);
        sink.dataset = dataset;
      }
      sinks[split] = sink;
    }
  } catch (error) {
    fail(error);
  }
  return {
    blockAlign: chunkRows,
    write(split, start, x, y) {
      const sink = sinks[split];
      try {
        if (!(x instanceof Voxels)) throw new TypeError(`rows of ${split} must be ${layout.dtype}`);
        if (sink.x) sink.x.set(x, start * rowLength);
        else sink.dataset?.write_slice([[start, start + y.length]], x);
        sink.y.set(y, start);
      } catch (error) {
        fail(error);
      }
    },
    finish() {
      try {
        const f = file as File;
        for (const split of SPLITS) {
          const { rows, x, y } = sinks[split];
          const names = datasetNames(split);
          if (x) {
            const chunked =
              layout.compression === 'gzip'
                ? {
                    chunks: [Math.max(1, Math.min(chunkRows, rows)), rowLength],
                    compression: 'gzip' as const,
                  }
                : {};
            f.create_dataset({ name: names.x, data: x, shape: [rows, rowLength], dtype, ...chunked });
          }
          f.create_dataset({
            name: names.y,
            data: BigInt64Array.from(y, (v) => BigInt(v)),
            shape: [rows],
            dtype: '<q',
          });
        }
        const g = layout.grid;
        f.create_attribute('grid', BigInt64Array.from([g, g, g], BigInt));
        f.create_attribute('labels', [...layout.labels]);
        f.create_attribute('rotated_copies', BigInt64Array.from([BigInt(layout.copies)]));
        f.close();
        file = undefined;
      } catch (error) {
        fail(error);
      }
    },
    abort() {
      closeQuietly(file);
      file = undefined;
    },
  };
}

/** The one-line error of a failed write to `path` (a DataError passes through). */
export function writeFailure(path: string, error: unknown): DataError {
  if (error instanceof DataError) return error;
  // HDF5's stack names the errno deep inside; keep it in the one line so writeAtomic sees a full disk
  const reason = isDiskFull(error) ? 'no space left on device' : h5Reason(error);
  return new DataError(`${path}: cannot write HDF5 file (${reason})`);
}

/** Closes `file` after a failure; a second error is dropped (the first one is worth reporting). */
export function closeQuietly(file: File | undefined): void {
  try {
    file?.close();
  } catch {
    // already failing: the first error is the one worth reporting
  }
}

/**
 * Creates a dataset file through writeAtomic: `create` opens the writer on the temporary path, `fill` writes the
 * rows; on any failure the writer is aborted and nothing is left. A failing directory or rename (a system call) is
 * reported like the writer's own errors.
 */
export async function writeDatasetAtomic<W extends { finish(): void; abort(): void }>(
  out: string,
  create: (tmp: string) => Promise<W>,
  fill: (writer: W) => Promise<void>,
): Promise<void> {
  try {
    await writeAtomic(out, async (tmp) => {
      const writer = await create(tmp);
      try {
        await fill(writer);
      } catch (error) {
        writer.abort();
        throw error;
      }
      writer.finish();
    });
  } catch (error) {
    if (error instanceof Error && 'syscall' in error) {
      throw new DataError(`${out}: cannot write HDF5 file (${error.message})`);
    }
    throw error;
  }
}
