// Worker thread of buildDataset: builds the blocks of rows it is sent, one at a time, in the file's dtype, and
// sends each back (transferred, not copied), so the parent only writes.
import { parentPort, workerData } from 'node:worker_threads';
import { asDtype, type VoxelArray, type VoxelType } from './build-dtype.js';
import type { Split } from './layout.js';
import { type MnistDigits, readMnist } from './mnist-idx.js';
import type { OrderedJob, PoolMessage } from './ordered-pool.js';
import { buildRows, RecipeScratch } from './recipe.js';

export interface WorkerSetup {
  seed: number;
  grid: number;
  digits: Readonly<Record<Split, number>>;
  copies: number;
  dtype: VoxelType;
}

export interface BlockJob extends OrderedJob {
  split: Split;
  start: number;
  end: number;
}

export interface BlockResult {
  x: VoxelArray;
  y: Int32Array;
}

type WorkerMessage = PoolMessage<BlockJob, BlockResult>;

/** Rows per progress message: one message per row would cost more than the row. */
const REPORT_EVERY = 25;

const port = parentPort;
if (!port) throw new Error('build-worker must run in a worker thread');
const setup = workerData as WorkerSetup;
const scratch = new RecipeScratch(setup.grid);
const mnist = new Map<Split, MnistDigits>();
port.on('message', (job: BlockJob) => {
  let digits = mnist.get(job.split);
  if (!digits) {
    digits = readMnist(job.split, setup.digits[job.split]);
    mnist.set(job.split, digits);
  }
  let pending = 0;
  const rows = buildRows(
    digits,
    job.split,
    job.start,
    job.end,
    setup.seed,
    () => {
      if (++pending === REPORT_EVERY) {
        port.postMessage({ kind: 'progress', rows: pending } satisfies WorkerMessage);
        pending = 0;
      }
    },
    scratch,
    setup.copies,
  );
  if (pending > 0) port.postMessage({ kind: 'progress', rows: pending } satisfies WorkerMessage);
  const x = asDtype(rows.x, setup.dtype);
  port.postMessage({ kind: 'done', job, result: { x, y: rows.y } } satisfies WorkerMessage, [
    x.buffer as ArrayBuffer,
    rows.y.buffer as ArrayBuffer,
  ]);
});
