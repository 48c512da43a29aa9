// `conv3d-dataset pack`: a folder of NIfTI scans (class folders, a Decathlon folder, or a CSV) → the HDF5 dataset
// the pipeline reads. Scans are prepared on worker threads (read, reoriented, resampled) and written in order one
// at a time by this thread, so memory holds a few volumes whatever the dataset size.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PREPARATION, type VolumePreparation } from '@conv3d/core';
import { DataError } from '../errors.js';
import { writeDatasetAtomic } from '../h5-writer.js';
import { SPLITS, type Split } from '../layout.js';
import { runOrdered } from '../ordered-pool.js';
import { createPackFile } from './pack-writer.js';
import { type PackedScan, type PackJob, type PackSetup, prepareJob } from './prepare-job.js';
import { findSources, type PackSources } from './sources.js';

export interface PackOptions {
  /** A folder (class subfolders or a Decathlon dataset.json) or a .csv of path,label. */
  source: string;
  /** Output .h5; written to a temporary file first, then renamed. */
  out: string;
  /** Orientation, spacing and intensity of every scan (default RAS+, own spacing, no intensity step). */
  preparation?: VolumePreparation;
  /** D, H, W to resample every scan to (instead of `preparation.spacing`). */
  grid?: readonly [number, number, number];
  seed?: number;
  /** Share of scans for test when the layout has no split of its own (default 0.2). */
  testFraction?: number;
  compression?: 'gzip' | 'none';
  /** Worker threads (default up to 2; 0 prepares on the calling thread). */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
  /** One-line warnings (an oblique affine); default stderr. */
  warn?: (line: string) => void;
}

export interface PackResult {
  path: string;
  sources: PackSources;
  rows: Record<Split, number>;
  /** D, H, W, C. */
  shape: [number, number, number, number];
  seconds: number;
}

const WORKER_SCRIPT = new URL('./pack-worker.js', import.meta.url);

export async function packDataset(options: PackOptions): Promise<PackResult> {
  const started = performance.now();
  const preparation = options.preparation ?? DEFAULT_PREPARATION;
  const sources = findSources(options.source, {
    seed: options.seed ?? 1,
    testFraction: options.testFraction ?? 0.2,
  });
  const rows = { train: 0, test: 0 };
  const jobs: PackJob[] = sources.items.map((item, index) => ({ ...item, index, row: rows[item.split]++ }));
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const setup: PackSetup = {
    preparation,
    classes: sources.labels.length,
    ...(options.grid ? { grid: [options.grid[2], options.grid[1], options.grid[0]] } : {}),
  };
  // The first scan fixes the row shape every other scan must have.
  const first = await prepareJob(jobs[0] as PackJob, setup, warn);
  const shape = first.shape;
  const workers = existsSync(fileURLToPath(WORKER_SCRIPT))
    ? (options.workers ?? Math.min(2, availableParallelism()))
    : 0;
  let done = 0;
  await writeDatasetAtomic(
    options.out,
    (tmp) =>
      createPackFile(options.out, tmp, {
        rows,
        shape,
        task: sources.task,
        labels: sources.labels,
        compression: options.compression ?? 'none',
        notes: {
          // the contract's VolumePreparation as is; a --grid is the `grid` attribute, which niftiInput resamples to
          preparation: JSON.stringify(preparation),
          layout: sources.layout,
        },
      }),
    async (writer) => {
      const write = (job: PackJob, scan: PackedScan): void => {
        if (scan.shape.join() !== shape.join())
          throw new DataError(mismatch(job, jobs[0] as PackJob, scan, shape));
        const source = job.labelImage === undefined ? job.image : `${job.image},${job.labelImage}`;
        writer.write(job.split, job.row, scan.x, scan.y ?? (job.label as number), source);
        options.onProgress?.(++done, jobs.length);
      };
      write(jobs[0] as PackJob, first);
      const rest = jobs.slice(1).map((job) => ({ ...job, index: job.index - 1 }));
      if (workers === 0) {
        for (const job of rest) write(job, await prepareJob(job, setup, warn));
      } else {
        await runOrdered<PackJob, PackedScan>(rest, WORKER_SCRIPT, setup, workers, () => undefined, write);
      }
    },
  );
  return {
    path: options.out,
    sources,
    rows: Object.fromEntries(SPLITS.map((s) => [s, rows[s]])) as Record<Split, number>,
    shape,
    seconds: (performance.now() - started) / 1000,
  };
}

function mismatch(job: PackJob, first: PackJob, scan: PackedScan, shape: readonly number[]): string {
  const [d, h, w, c] = shape;
  if (scan.shape[3] !== c) {
    return `${job.image}: ${scan.shape[3]} channels, but ${first.image} has ${c}: every scan needs the same channel count`;
  }
  return `${job.image}: prepares to ${scan.shape.slice(0, 3).join('×')}, but ${first.image} to ${d}×${h}×${w}: pass --grid D,H,W or --spacing X,Y,Z to resample`;
}
