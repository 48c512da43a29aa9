// Feeds augmented batches to the training loop in order, (epoch, step) after (epoch, step). On a worker thread it
// keeps the next `depth` batches in the making while the current step trains, across epoch boundaries, so steps
// do not wait for augmentation; without one (running from the TypeScript sources) it makes each batch on demand.
// Both give the same bytes: every draw is keyed by (seed, epoch, item).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AugmentationConfig } from './config.js';
import { EpochRowMaker, epochItems, epochSize, type RawBatch, type StoredRows } from './epoch-rows.js';
import type { BatchReply, BatchRequest, WorkerInit } from './worker.js';

const WORKER_SCRIPT = new URL('./worker.js', import.meta.url);

export interface FeedOptions {
  stored: StoredRows;
  augmentation: AugmentationConfig;
  runSeed: number;
  batchSize: number;
  startEpoch: number;
  epochs: number;
  /** Make batches on a worker thread (default: when the compiled worker exists). */
  thread?: boolean;
  /** Batches in the making ahead of the one being trained (default 4). */
  depth?: number;
}

export class AugmentationFeed {
  readonly stepsPerEpoch: number;
  readonly threaded: boolean;
  private readonly worker: Worker | undefined;
  private readonly maker: EpochRowMaker | undefined;
  private readonly pending = new Map<number, { resolve(b: RawBatch): void; reject(e: Error): void }>();
  private readonly queued: Array<{ epoch: number; step: number; batch: Promise<RawBatch> }> = [];
  private readonly items = new Map<number, Int32Array>();
  private cursor: { epoch: number; step: number };
  private nextId = 0;
  private failure: Error | undefined;

  constructor(private readonly options: FeedOptions) {
    this.stepsPerEpoch = Math.ceil(epochSize(options.stored.split, options.augmentation) / options.batchSize);
    this.cursor = { epoch: options.startEpoch, step: 0 };
    this.threaded = options.thread ?? existsSync(fileURLToPath(WORKER_SCRIPT));
    if (this.threaded) {
      const init: WorkerInit = { stored: options.stored, augmentation: options.augmentation };
      this.worker = new Worker(WORKER_SCRIPT, { workerData: init });
      this.worker.on('message', (reply: BatchReply) => this.settle(reply));
      this.worker.on('error', (err) => this.fail(err));
      this.worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`the augmentation worker exited with code ${code}`));
      });
    } else {
      this.maker = new EpochRowMaker(options.stored, options.augmentation);
    }
  }

  private itemsOf(epoch: number): Int32Array {
    let items = this.items.get(epoch);
    if (!items) {
      const { stored, augmentation, runSeed } = this.options;
      items = epochItems(stored.split, augmentation, runSeed, epoch);
      this.items.set(epoch, items);
      for (const e of this.items.keys()) if (e < epoch - 1) this.items.delete(e);
    }
    return items;
  }

  private request(epoch: number, step: number): Promise<RawBatch> {
    const { batchSize } = this.options;
    const all = this.itemsOf(epoch);
    const items = all.slice(step * batchSize, Math.min(all.length, (step + 1) * batchSize));
    const { worker, maker } = this;
    if (!worker) return Promise.resolve((maker as EpochRowMaker).make(epoch, items));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<RawBatch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, epoch, items } satisfies BatchRequest, [items.buffer as ArrayBuffer]);
    });
  }

  private settle(reply: BatchReply): void {
    const waiter = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if ('error' in reply) waiter?.reject(new Error(`augmentation: ${reply.error}`));
    else waiter?.resolve(reply.batch);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }

  /** Queues requests up to `depth` ahead of the cursor, never past the last epoch. */
  private fill(): void {
    const depth = this.threaded ? (this.options.depth ?? 4) : 1;
    while (this.queued.length < depth && this.cursor.epoch < this.options.epochs) {
      const { epoch, step } = this.cursor;
      const batch = this.request(epoch, step);
      // A rejection is reported to whoever awaits this batch; until then it must not count as unhandled.
      batch.catch(() => {});
      this.queued.push({ epoch, step, batch });
      this.cursor = step + 1 < this.stepsPerEpoch ? { epoch, step: step + 1 } : { epoch: epoch + 1, step: 0 };
    }
  }

  /** The batch for (epoch, step); calls must come in training order. */
  next(epoch: number, step: number): Promise<RawBatch> {
    this.fill();
    const head = this.queued.shift();
    if (!head || head.epoch !== epoch || head.step !== step) {
      throw new Error(
        `augmentation feed: asked for epoch ${epoch} step ${step}, next is ${head ? `epoch ${head.epoch} step ${head.step}` : 'nothing'}`,
      );
    }
    this.fill();
    return head.batch;
  }

  async close(): Promise<void> {
    this.fail(new Error('augmentation feed closed'));
    await this.worker?.terminate();
  }
}
