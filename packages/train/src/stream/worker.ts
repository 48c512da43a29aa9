// The streaming worker thread: opens the data file itself (its own h5wasm instance) and reads + preprocesses the
// batches the main thread asks for, in order, while the main thread runs the training step.
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelContract } from '@conv3d/core';
import { type OpenOptions, openDataset, type Split } from '@conv3d/data';
import { type PreparedBatch, prepareBatch } from './prepare.js';

export interface StreamWorkerInit {
  path: string;
  dataOptions: OpenOptions | undefined;
  contract: ModelContract;
}

export interface StreamRequest {
  id: number;
  split: Split;
  indices: Uint32Array;
}

export type StreamReply = { id: number; batch: PreparedBatch } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('the streaming worker must run in a worker thread');
const { path, dataOptions, contract } = workerData as StreamWorkerInit;
const opened = openDataset(path, dataOptions);
// An open failure is answered to every request (the main thread opened the same file a moment ago, so it is rare).
opened.catch(() => {});
port.on('message', async ({ id, split, indices }: StreamRequest) => {
  let reply: StreamReply;
  try {
    reply = { id, batch: prepareBatch(await opened, contract, split, indices) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  const transfer =
    'batch' in reply ? [reply.batch.inputs.buffer as ArrayBuffer, reply.batch.y.buffer as ArrayBuffer] : [];
  port.postMessage(reply, transfer);
});
