// Builds 3D MNIST from the real MNIST digits (the recipe in recipe.ts) and writes it as Kaggle's
// full_dataset_vectors.h5 layout. Rows are built on worker threads, one contiguous range each.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BuildJob, WorkerMessage } from './build-worker.js';
import { DataError } from './errors.js';
import { type Compression, type SplitArrays, writeDatasetFile } from './h5-writer.js';
import { ORIGINALS, ROW_LENGTH, SPLITS, type Split } from './layout.js';
import { readMnist } from './mnist-idx.js';
import { buildRows, DEFAULT_SEED } from './recipe.js';

export type { Compression } from './h5-writer.js';
export { DEFAULT_SEED } from './recipe.js';

export interface BuildOptions {
  /** Output file; written to `<out>.tmp-<pid>` first, then renamed. */
  out: string;
  /** Seed of the rotated copies (default 1). The originals do not depend on it. */
  seed?: number;
  /** 'none' (default: contiguous, like Kaggle's file; fastest to read) or 'gzip' (~20× smaller). */
  compression?: Compression;
  /** Called as rows complete; `total` counts the rows of both splits. */
  onProgress?: (done: number, total: number) => void;
  /** MNIST digits per split (default train 5000, test 1000); each gives two rows. Smaller files for smoke tests. */
  digits?: Partial<Record<Split, number>>;
  /** Worker threads (default: up to 2, one per core; 0 builds on the calling thread). */
  workers?: number;
}

export interface BuildResult {
  path: string;
  train: number;
  test: number;
  seconds: number;
}

const WORKER_SCRIPT = new URL('./build-worker.js', import.meta.url);

export async function buildDataset(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const compression = options.compression ?? 'none';
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new DataError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  if (compression !== 'gzip' && compression !== 'none') {
    throw new DataError(`compression must be 'gzip' or 'none', got '${String(compression)}'`);
  }
  const digits = { ...ORIGINALS };
  for (const split of SPLITS) {
    const n = options.digits?.[split] ?? ORIGINALS[split];
    if (!Number.isInteger(n) || n < 1 || n > ORIGINALS[split]) {
      throw new DataError(`digits.${split} must be an integer in [1, ${ORIGINALS[split]}], got ${n}`);
    }
    digits[split] = n;
  }
  // Running from the TypeScript sources there is no compiled worker next to this module: build in-process.
  const workers = existsSync(fileURLToPath(WORKER_SCRIPT))
    ? (options.workers ?? Math.min(2, availableParallelism()))
    : 0;

  const total = 2 * (digits.train + digits.test);
  let done = 0;
  const progress = (rows: number): void => {
    done += rows;
    options.onProgress?.(done, total);
  };
  const splits = {} as Record<Split, SplitArrays>;
  for (const split of SPLITS) {
    const rows = 2 * digits[split];
    splits[split] =
      workers === 0
        ? buildRows(readMnist(split, digits[split]), split, 0, rows, seed, () => progress(1))
        : await buildOnWorkers(split, rows, seed, workers, progress);
  }
  await writeDatasetFile(options.out, splits, compression);
  return {
    path: options.out,
    train: splits.train.y.length,
    test: splits.test.y.length,
    seconds: (performance.now() - started) / 1000,
  };
}

async function buildOnWorkers(
  split: Split,
  rows: number,
  seed: number,
  workers: number,
  progress: (rows: number) => void,
): Promise<SplitArrays> {
  const x = new Float64Array(rows * ROW_LENGTH);
  const y = new Int32Array(rows);
  const per = Math.ceil(rows / workers);
  const jobs: BuildJob[] = [];
  for (let start = 0; start < rows; start += per)
    jobs.push({ split, start, end: Math.min(rows, start + per), seed });
  await Promise.all(
    jobs.map(
      (job) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(WORKER_SCRIPT, { workerData: job });
          worker.on('message', (message: WorkerMessage) => {
            if (message.kind === 'progress') {
              progress(message.rows);
            } else {
              x.set(message.x, job.start * ROW_LENGTH);
              y.set(message.y, job.start);
              resolve();
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0)
              reject(new Error(`build worker for ${split} rows ${job.start}–${job.end} exited with ${code}`));
          });
        }),
    ),
  );
  return { x, y };
}
