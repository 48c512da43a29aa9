// Worker thread of packDataset: prepares the scans it is sent, one at a time, and sends each back transferred.
import { parentPort, workerData } from 'node:worker_threads';
import type { PoolMessage } from '../ordered-pool.js';
import { type PackedScan, type PackJob, type PackSetup, prepareJob } from './prepare-job.js';

const port = parentPort;
if (!port) throw new Error('pack-worker must run in a worker thread');
const setup = workerData as PackSetup;
port.on('message', async (job: PackJob) => {
  const result = await prepareJob(job, setup, (line) => process.stderr.write(`${line}\n`));
  const transfer = [result.x.buffer as ArrayBuffer, ...(result.y ? [result.y.buffer as ArrayBuffer] : [])];
  port.postMessage({ kind: 'done', job, result } satisfies PoolMessage<PackJob, PackedScan>, transfer);
});
