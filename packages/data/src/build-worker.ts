// Worker thread of buildDataset: builds the blocks of rows it is sent, one at a time, and sends each back
// (transferred, not copied).
import { parentPort, workerData } from 'node:worker_threads';
import type { Split } from './layout.js';
import { type MnistDigits, readMnist } from './mnist-idx.js';
import { buildRows, RecipeScratch } from './recipe.js';

export interface WorkerSetup {
  seed: number;
  grid: number;
  digits: Readonly<Record<Split, number>>;
}

export interface BlockJob {
  split: Split;
  start: number;
  end: number;
}

export type WorkerMessage =
  | { kind: 'progress'; rows: number }
  | { kind: 'block'; job: BlockJob; x: Float64Array; y: Int32Array };

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
  );
  if (pending > 0) port.postMessage({ kind: 'progress', rows: pending } satisfies WorkerMessage);
  port.postMessage({ kind: 'block', job, x: rows.x, y: rows.y } satisfies WorkerMessage, [
    rows.x.buffer as ArrayBuffer,
    rows.y.buffer as ArrayBuffer,
  ]);
});
