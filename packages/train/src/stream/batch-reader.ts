// Reads + preprocesses batches off the main thread: on a worker thread with its own h5wasm when the compiled worker
// exists (a user's install), in-process on demand otherwise (running from the TypeScript sources). Both give the
// same bytes. Each Lookahead keeps at most `depth` batches requested ahead of the one in use, so memory is bounded
// by the batch size, never by the file.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModelContract } from '@conv3d/core';
import { DataError, type OpenOptions, type Split } from '@conv3d/data';
import { type PreparedBatch, prepareBatch, type RowSource } from './prepare.js';
import type { StreamReply, StreamRequest, StreamWorkerInit } from './worker.js';

const WORKER_SCRIPT = new URL('./worker.js', import.meta.url);

/** Batches each lookahead keeps in the making ahead of the one being used. */
export const DEFAULT_DEPTH = 2;

export interface BatchReaderOptions {
  /** The file the worker opens, with the options it was opened with. */
  path: string;
  dataOptions?: OpenOptions;
  contract: ModelContract;
  /** The already open file, read in-process when there is no worker. */
  source: RowSource;
  /** Read on a worker thread (default: when the compiled worker exists and the file was opened by path). */
  thread?: boolean;
}

export class BatchReader {
  readonly threaded: boolean;
  private readonly worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve(b: PreparedBatch): void; reject(e: Error): void }>();
  private nextId = 0;
  private failure: Error | undefined;
  private queued = 0;
  /** The most batches ever requested and not yet handed to a step or an evaluation (all lookaheads together). */
  peakQueued = 0;

  constructor(private readonly options: BatchReaderOptions) {
    this.threaded = options.thread ?? existsSync(fileURLToPath(WORKER_SCRIPT));
    if (this.threaded) {
      const init: StreamWorkerInit = {
        path: options.path,
        dataOptions: options.dataOptions,
        contract: options.contract,
      };
      this.worker = new Worker(WORKER_SCRIPT, { workerData: init });
      this.worker.on('message', (reply: StreamReply) => this.settle(reply));
      this.worker.on('error', (err) => this.fail(err));
      this.worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`the streaming worker exited with code ${code}`));
      });
    }
  }

  /** Starts reading the rows at `indices` of `split`; the batch counts as queued until `taken()`. */
  request(split: Split, indices: Uint32Array): Promise<PreparedBatch> {
    this.queued++;
    this.peakQueued = Math.max(this.peakQueued, this.queued);
    const { worker } = this;
    if (!worker) {
      try {
        return Promise.resolve(prepareBatch(this.options.source, this.options.contract, split, indices));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<PreparedBatch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A copy: the schedule's permutation stays whole (transferring a view would detach all of it).
      const own = indices.slice();
      worker.postMessage({ id, split, indices: own } satisfies StreamRequest, [own.buffer as ArrayBuffer]);
    });
  }

  /** A queued batch was handed over (or dropped). */
  taken(): void {
    this.queued--;
  }

  private settle(reply: StreamReply): void {
    const waiter = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    // The worker's errors are the reader's one-line DataErrors (file, dataset, rows): kept as they are.
    if ('error' in reply) waiter?.reject(new DataError(reply.error));
    else waiter?.resolve(reply.batch);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.fail(new Error('streaming reader closed'));
    await this.worker?.terminate();
  }
}

export interface BatchItem<K> {
  key: K;
  split: Split;
  indices: Uint32Array;
}

/** Requests the items of `items` in order, at most `depth` ahead of the one handed out by next(). */
export class Lookahead<K> {
  private readonly queue: Array<{ key: K; batch: Promise<PreparedBatch> }> = [];
  private done = false;

  constructor(
    private readonly reader: BatchReader,
    private readonly items: Iterator<BatchItem<K>>,
    private readonly depth: number = DEFAULT_DEPTH,
  ) {}

  private fill(): void {
    while (!this.done && this.queue.length < Math.max(1, this.depth)) {
      const item = this.items.next();
      if (item.done) {
        this.done = true;
        return;
      }
      const batch = this.reader.request(item.value.split, item.value.indices);
      // A rejection is reported to whoever takes this batch; until then it must not count as unhandled.
      batch.catch(() => {});
      this.queue.push({ key: item.value.key, batch });
    }
  }

  /** The next item's batch; `expect` checks it is the one the caller means. */
  next(expect: (key: K) => string | undefined = () => undefined): Promise<PreparedBatch> {
    this.fill();
    const head = this.queue.shift();
    if (!head) throw new Error('streaming lookahead: no batches left');
    this.reader.taken();
    const problem = expect(head.key);
    if (problem) throw new Error(`streaming lookahead: ${problem}`);
    this.fill();
    return head.batch;
  }

  /** Drops what is still queued (e.g. an early stop): the reader no longer counts it. */
  discard(): void {
    for (const _ of this.queue) this.reader.taken();
    this.queue.length = 0;
    this.done = true;
  }
}

/** Consecutive batches of rows [start, end) of `split`, for evaluation. */
export function* rangeItems(
  split: Split,
  start: number,
  end: number,
  batchSize: number,
): Generator<BatchItem<number>> {
  for (let s = start; s < end; s += batchSize) {
    const n = Math.min(batchSize, end - s);
    const indices = new Uint32Array(n);
    for (let i = 0; i < n; i++) indices[i] = s + i;
    yield { key: s, split, indices };
  }
}
