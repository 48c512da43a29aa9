// The augmentation worker thread: holds the training rows (shared memory, not a copy) and makes the batches the
// feed asks for, while the main thread runs the training step.
import { parentPort, workerData } from 'node:worker_threads';
import type { AugmentationConfig } from './config.js';
import { EpochRowMaker, type RawBatch, type StoredRows } from './epoch-rows.js';

export interface WorkerInit {
  stored: StoredRows;
  augmentation: AugmentationConfig;
}

export interface BatchRequest {
  id: number;
  epoch: number;
  items: Int32Array;
}

export type BatchReply = { id: number; batch: RawBatch } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('the augmentation worker must run in a worker thread');
const { stored, augmentation } = workerData as WorkerInit;
const maker = new EpochRowMaker(stored, augmentation);
port.on('message', ({ id, epoch, items }: BatchRequest) => {
  let reply: BatchReply;
  try {
    reply = { id, batch: maker.make(epoch, items) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  const transfer =
    'batch' in reply ? [reply.batch.x.buffer as ArrayBuffer, reply.batch.y.buffer as ArrayBuffer] : [];
  port.postMessage(reply, transfer);
});
