// Worker thread of buildDataset: builds one range of rows and sends them back (transferred, not copied).
import { parentPort, workerData } from 'node:worker_threads';
import type { Split } from './layout.js';
import { readMnist } from './mnist-idx.js';
import { buildRows } from './recipe.js';

export interface BuildJob {
  split: Split;
  start: number;
  end: number;
  seed: number;
}

export type WorkerMessage =
  | { kind: 'progress'; rows: number }
  | { kind: 'done'; x: Float64Array; y: Int32Array };

/** Rows per progress message: one message per row would cost more than the row. */
const REPORT_EVERY = 25;

const port = parentPort;
if (!port) throw new Error('build-worker must run in a worker thread');
const { split, start, end, seed } = workerData as BuildJob;
let pending = 0;
const rows = buildRows(readMnist(split, Math.ceil(end / 2)), split, start, end, seed, () => {
  if (++pending === REPORT_EVERY) {
    port.postMessage({ kind: 'progress', rows: pending } satisfies WorkerMessage);
    pending = 0;
  }
});
if (pending > 0) port.postMessage({ kind: 'progress', rows: pending } satisfies WorkerMessage);
port.postMessage({ kind: 'done', x: rows.x, y: rows.y } satisfies WorkerMessage, [
  rows.x.buffer as ArrayBuffer,
  rows.y.buffer as ArrayBuffer,
]);
