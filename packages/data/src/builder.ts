// Builds 3D MNIST from the real MNIST digits (the recipe in recipe.ts) on an n³ grid (16³ by default) and writes
// it as Kaggle's full_dataset_vectors.h5 layout. Rows are built in blocks on worker threads (in the file's dtype)
// and written in order by this thread while the workers build the next blocks, so memory stays bounded whatever
// the grid and the digit count.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { asDtype, VOXEL_TYPES, type VoxelArray, type VoxelType } from './build-dtype.js';
import type { BlockJob, BlockResult, WorkerSetup } from './build-worker.js';
import { DataError } from './errors.js';
import { type Compression, createDatasetFile, writeDatasetAtomic } from './h5-writer.js';
import {
  DEFAULT_COPIES,
  GRID,
  LABELS,
  MNIST_DIGITS,
  ORIGINALS,
  rowsOf,
  SPLITS,
  type Split,
} from './layout.js';
import { readMnist } from './mnist-idx.js';
import { runOrdered } from './ordered-pool.js';
import { buildRows, DEFAULT_SEED, RecipeScratch } from './recipe.js';

export type { VoxelType } from './build-dtype.js';
export type { Compression } from './h5-writer.js';
export { DEFAULT_SEED } from './recipe.js';

/** Grids `build` accepts: voxels per axis. */
export const MIN_GRID = 8;
export const MAX_GRID = 64;
/** Rotated copies per original `build` accepts. */
export const MAX_COPIES = 16;
/**
 * Bytes of float64 rows per block: enough work per worker message (256 rows of 16³, ~0.3 s), little memory, and a
 * short tail where one worker finishes the last block while the other idles.
 */
const BLOCK_BYTES = 8 << 20;

export interface BuildOptions {
  /** Output file; written to `<out>.tmp-<pid>` first, then renamed. */
  out: string;
  /** Seed of the rotated copies (default 1). The originals do not depend on it. */
  seed?: number;
  /** Voxels per axis, MIN_GRID to MAX_GRID (default 16, Kaggle's file). */
  grid?: number;
  /** 'none' (default: contiguous, like Kaggle's file; fastest to read) or 'gzip' (~20× smaller). */
  compression?: Compression;
  /** Called as rows complete; `total` counts the rows of both splits. */
  onProgress?: (done: number, total: number) => void;
  /**
   * MNIST digits per split, the first ones of each MNIST file (default train 5000, test 1000, Kaggle's; at most
   * every digit, MNIST_DIGITS: 60 000 and 10 000). Each gives 1 + `copies` rows.
   */
  digits?: Partial<Record<Split, number>>;
  /** Rotated copies per original, 0 to MAX_COPIES (default 1): rows come in groups of 1 + copies. */
  copies?: number;
  /** Element type of X (default float64, Kaggle's; float32 halves the file). */
  dtype?: VoxelType;
  /** Worker threads (default: up to 2, one per core; 0 builds on the calling thread). */
  workers?: number;
  /**
   * Bytes of X per split kept in memory and written as one contiguous dataset (default 1 GiB); a larger split is
   * streamed to disk block by block, into a chunked dataset.
   */
  inMemoryLimit?: number;
}

export interface BuildResult {
  path: string;
  grid: number;
  /** Rows per split. */
  train: number;
  test: number;
  copies: number;
  dtype: VoxelType;
  /** Bytes of X written (both splits): the bulk of the file. */
  voxelBytes: number;
  seconds: number;
}

const WORKER_SCRIPT = new URL('./build-worker.js', import.meta.url);

export async function buildDataset(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const grid = options.grid ?? GRID;
  const compression = options.compression ?? 'none';
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new DataError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  if (!Number.isInteger(grid) || grid < MIN_GRID || grid > MAX_GRID) {
    throw new DataError(`grid must be an integer in [${MIN_GRID}, ${MAX_GRID}], got ${grid}`);
  }
  if (compression !== 'gzip' && compression !== 'none') {
    throw new DataError(`compression must be 'gzip' or 'none', got '${String(compression)}'`);
  }
  const copies = options.copies ?? DEFAULT_COPIES;
  if (!Number.isInteger(copies) || copies < 0 || copies > MAX_COPIES) {
    throw new DataError(`copies must be an integer in [0, ${MAX_COPIES}], got ${copies}`);
  }
  const dtype = options.dtype ?? 'float64';
  if (!VOXEL_TYPES.includes(dtype)) {
    throw new DataError(`dtype must be one of ${VOXEL_TYPES.join(', ')}, got '${String(dtype)}'`);
  }
  const digits = { ...ORIGINALS };
  for (const split of SPLITS) {
    const n = options.digits?.[split] ?? ORIGINALS[split];
    if (!Number.isInteger(n) || n < 1 || n > MNIST_DIGITS[split]) {
      throw new DataError(`digits.${split} must be an integer in [1, ${MNIST_DIGITS[split]}], got ${n}`);
    }
    digits[split] = n;
  }
  // Running from the TypeScript sources there is no compiled worker next to this module: build in-process.
  const workers = existsSync(fileURLToPath(WORKER_SCRIPT))
    ? (options.workers ?? Math.min(2, availableParallelism()))
    : 0;

  const rows = { train: rowsOf('train', digits.train, copies), test: rowsOf('test', digits.test, copies) };
  const total = rows.train + rows.test;
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    options.onProgress?.(done, total);
  };
  await writeDatasetAtomic(
    options.out,
    (tmp) =>
      createDatasetFile(options.out, tmp, {
        rows,
        grid,
        labels: LABELS,
        compression,
        dtype,
        copies,
        ...(options.inMemoryLimit === undefined ? {} : { inMemoryLimit: options.inMemoryLimit }),
      }),
    async (writer) => {
      const blockRows =
        Math.max(1, Math.floor(BLOCK_BYTES / (grid ** 3 * 8 * writer.blockAlign))) * writer.blockAlign;
      const jobs: BlockJob[] = [];
      for (const split of SPLITS)
        for (let start = 0; start < rows[split]; start += blockRows)
          jobs.push({ index: jobs.length, split, start, end: Math.min(rows[split], start + blockRows) });
      const write = (job: BlockJob, x: VoxelArray, y: Int32Array): void =>
        writer.write(job.split, job.start, x, y);
      const setup: WorkerSetup = { seed, grid, digits, copies, dtype };
      if (workers === 0) buildInProcess(jobs, setup, progress, write);
      else
        await runOrdered<BlockJob, BlockResult>(jobs, WORKER_SCRIPT, setup, workers, progress, (job, r) =>
          write(job, r.x, r.y),
        );
    },
  );
  return {
    path: options.out,
    grid,
    train: rows.train,
    test: rows.test,
    copies,
    dtype,
    voxelBytes: total * grid ** 3 * (dtype === 'float32' ? 4 : 8),
    seconds: (performance.now() - started) / 1000,
  };
}

type WriteBlock = (job: BlockJob, x: VoxelArray, y: Int32Array) => void;

function buildInProcess(
  jobs: readonly BlockJob[],
  { seed, grid, digits, copies, dtype }: WorkerSetup,
  progress: (rows: number) => void,
  write: WriteBlock,
): void {
  const scratch = new RecipeScratch(grid);
  const mnist = { train: readMnist('train', digits.train), test: readMnist('test', digits.test) };
  for (const job of jobs) {
    const { split, start, end } = job;
    const rows = buildRows(mnist[split], split, start, end, seed, () => progress(1), scratch, copies);
    write(job, asDtype(rows.x, dtype), rows.y);
  }
}
