// The worker pool behind load(model, { workers: N }) and loadSegmenter(model, { workers: N }): one onnxruntime
// session per worker thread, and on the main thread a dynamic batcher that coalesces concurrent predict calls (a
// segment call is a job of its own: one volume, its windows batched inside the worker).
import { Worker } from 'node:worker_threads';
import {
  type ClassifierInput,
  DISPOSED_MESSAGE,
  disposedMessage,
  type ModelContract,
  type Segmentation,
  type SegmentOptions,
  type Task,
  type Volume,
} from '@conv3d/core';
import type { NodeDevice, NodeProvider } from '../session.js';
import { type Batch, fail, settle } from './batch.js';
import { revive } from './errors.js';
import type { FromWorker, ToWorker, WorkerSetup } from './messages.js';
import type { BatchInfo, PoolSettings } from './options.js';
import { copyRows, rowCount } from './pack.js';

// Vitest runs these sources as .ts, but a worker thread is plain Node: it always starts the built entry.
const WORKER_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/pool/worker.js', import.meta.url)
  : new URL('./worker.js', import.meta.url);

export interface PoolStats {
  /** Workers with a loaded session. */
  workers: number;
  /** Workers running a batch now. */
  busy: number;
  /** Predict calls waiting for a worker. */
  queuedRequests: number;
  /** Samples in those calls. */
  queuedSamples: number;
  /** Workers that died and were replaced since load. */
  replaced: number;
  /** A replacement could not load the model and no worker is left: every call now rejects. */
  broken: boolean;
}

export interface PoolHooks {
  onBatch?: (batch: BatchInfo) => void;
  /** Sees every worker the pool starts, replacements included. */
  onSpawn?: (worker: Worker) => void;
  /** Called as a batch is about to be posted to `worker` (tests kill workers here, so it dies holding the batch). */
  onSend?: (worker: Worker, batch: BatchInfo) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Batch;
  /** The last uncaught error of the worker, for the message when it exits. */
  lastError?: Error;
}

export interface Loaded {
  provider: NodeProvider;
  contract: ModelContract;
}

export class WorkerPool {
  readonly #setup: WorkerSetup;
  readonly #settings: PoolSettings;
  readonly #hooks: PoolHooks;
  readonly #slots = new Set<Slot>();
  /** Batches sealed and waiting for a worker, oldest first. */
  readonly #ready: Batch[] = [];
  /** SharedArrayBuffers of maxBatch rows, free for the next batch. */
  readonly #free: SharedArrayBuffer[] = [];
  #open: Batch | undefined;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #nextId = 0;
  #classes = 0;
  /** Values per raw row, from the contract the workers loaded. */
  #rowLength = 0;
  #replaced = 0;
  #pending = 0;
  #drained: (() => void) | undefined;
  #closing = false;
  #broken: Error | undefined;

  constructor(
    model: string | Uint8Array,
    device: NodeDevice,
    settings: PoolSettings,
    hooks: PoolHooks = {},
    task: Task = 'classify',
  ) {
    // A path is read by each worker, so load errors name the file as the in-thread path does.
    this.#setup = { model, device, task };
    this.#settings = settings;
    this.#hooks = hooks;
  }

  /** Starts every worker; resolves once all loaded the model, rejects with the first load error. */
  async start(): Promise<Loaded> {
    const starts = Array.from({ length: this.#settings.workers }, () => this.#spawn());
    const results = await Promise.allSettled(starts);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      await this.#stopWorkers();
      throw failed.reason;
    }
    const first = (results[0] as PromiseFulfilledResult<Loaded>).value;
    this.#classes = first.contract.labels.length;
    this.#rowLength = first.contract.rawLength;
    return first;
  }

  /** Runs one predict call; resolves with its [count, classes] probabilities. */
  run(input: ClassifierInput): Promise<Float32Array> {
    if (this.#closing) return Promise.reject(new Error(DISPOSED_MESSAGE));
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    return new Promise<Float32Array>((resolve, reject) => {
      const waiter = this.#waiter(resolve as (result: unknown) => void, reject);
      const count = rowCount(input, this.#rowLength);
      if (count === undefined || count > this.#settings.maxBatch) {
        // Passed through as its own batch; a tensor is posted as plain data (an onnxruntime Tensor keeps its
        // data behind getters, which structured cloning drops).
        const passed = isTensorLike(input) ? { data: input.data, dims: Array.from(input.dims) } : input;
        waiter.count = count ?? 0;
        this.#ready.push(this.#batch({ input: passed, count: count ?? 0, waiters: [waiter] }));
      } else {
        this.#append(input, count, waiter);
      }
      this.#schedule();
    });
  }

  /**
   * Segments one volume in the next free worker; `onProgress` is called here as the worker reports, and aborting
   * `signal` drops a queued call or stops a running one before its next model run.
   */
  segment(volume: Volume, options: SegmentOptions = {}): Promise<Segmentation> {
    if (this.#closing) return Promise.reject(new Error(disposedMessage('segment')));
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    const { onProgress, signal, ...wire } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Segmentation>((resolve, reject) => {
      const waiter = this.#waiter(resolve as (result: unknown) => void, reject);
      const plain = { data: volume?.data, dims: Array.from(volume?.dims ?? []) } as Volume;
      const batch = this.#batch({
        segment: { volume: plain, options: wire, onProgress },
        count: 0,
        waiters: [waiter],
      });
      this.#ready.push(batch);
      signal?.addEventListener('abort', () => this.#cancel(batch, signal.reason), { once: true });
      this.#schedule();
    });
  }

  /** A waiter that keeps the count of unanswered calls (close waits for them). */
  #waiter(resolve: (result: unknown) => void, reject: (error: Error) => void): Batch['waiters'][number] {
    this.#pending++;
    const done = () => {
      this.#pending--;
      if (this.#pending === 0) this.#drained?.();
    };
    return {
      at: 0,
      count: 0,
      resolve: (result) => {
        done();
        resolve(result);
      },
      reject: (error) => {
        done();
        reject(error);
      },
    };
  }

  /** An aborted segment call: dropped when still queued, else its worker stops it before its next model run. */
  #cancel(batch: Batch, reason: Error): void {
    const queued = this.#ready.indexOf(batch);
    if (queued >= 0) {
      this.#ready.splice(queued, 1);
      fail(batch, reason);
      return;
    }
    for (const slot of this.#slots) {
      if (slot.job === batch) slot.worker.postMessage({ type: 'cancel', id: batch.id } satisfies ToWorker);
    }
  }

  stats(): PoolStats {
    let workers = 0;
    let busy = 0;
    for (const slot of this.#slots) {
      if (slot.ready) workers++;
      if (slot.job !== undefined) busy++;
    }
    const queued = this.#open === undefined ? this.#ready : [...this.#ready, this.#open];
    return {
      workers,
      busy,
      queuedRequests: queued.reduce((n, b) => n + b.waiters.length, 0),
      queuedSamples: queued.reduce((n, b) => n + b.count, 0),
      replaced: this.#replaced,
      broken: this.#broken !== undefined,
    };
  }

  /** Answers every call already made, then stops the workers. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#pending > 0) {
      const drained = new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
      this.#pump();
      await drained;
    }
    clearTimeout(this.#timer);
    await this.#stopWorkers();
    this.#free.length = 0;
  }

  /**
   * Asks every worker to dispose its session and exit. Never worker.terminate(): terminating a worker while
   * onnxruntime runs in it aborts the whole process (a native Napi::Error, measured with onnxruntime-node 1.30).
   */
  async #stopWorkers(): Promise<void> {
    const exits = [...this.#slots].map(
      (slot) =>
        new Promise<void>((resolve) => {
          slot.worker.once('exit', () => resolve());
          // Idle workers are unref'd; waiting for their exit must keep the process alive.
          slot.worker.ref();
          slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
        }),
    );
    await Promise.all(exits);
    this.#slots.clear();
  }

  #batch(fields: Pick<Batch, 'rows' | 'input' | 'segment' | 'count' | 'waiters'>): Batch {
    return { id: this.#nextId++, openedAt: performance.now(), retries: 0, ...fields };
  }

  #append(input: ClassifierInput, count: number, waiter: Batch['waiters'][number]): void {
    if (this.#open !== undefined && this.#open.count + count > this.#settings.maxBatch) this.#seal();
    if (this.#open === undefined) {
      const shared = this.#free.pop() ?? new SharedArrayBuffer(this.#settings.maxBatch * this.#rowLength * 8);
      this.#open = this.#batch({ rows: new Float64Array(shared), count: 0, waiters: [] });
    }
    const open = this.#open;
    const rows = open.rows as Float64Array;
    copyRows(input, rows, open.count, this.#rowLength);
    if (!allFinite(rows, open.count * this.#rowLength, (open.count + count) * this.#rowLength)) {
      // Sent alone, so the classifier names the bad value and the other calls in the batch are unaffected.
      waiter.count = count;
      this.#ready.push(this.#batch({ input, count, waiters: [waiter] }));
      return;
    }
    waiter.at = open.count;
    waiter.count = count;
    open.waiters.push(waiter);
    open.count += count;
    if (open.count === this.#settings.maxBatch) this.#seal();
  }

  #seal(): void {
    if (this.#open === undefined || this.#open.count === 0) return;
    this.#ready.push(this.#open);
    this.#open = undefined;
  }

  /** Pumps after the current tick, so calls made together share a batch even with maxDelayMs 0. */
  #schedule(): void {
    this.#immediate ??= setImmediate(() => {
      this.#immediate = undefined;
      this.#pump();
    });
  }

  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const slot of this.#slots) {
      if (!slot.ready || slot.job !== undefined) continue;
      const open = this.#open;
      if (this.#ready.length === 0 && open !== undefined && open.count > 0) {
        const waited = performance.now() - open.openedAt;
        if (this.#closing || waited >= this.#settings.maxDelayMs) this.#seal();
      }
      const batch = this.#ready.shift();
      if (batch === undefined) break;
      this.#send(slot, batch);
    }
    const open = this.#open;
    const idle = [...this.#slots].some((slot) => slot.ready && slot.job === undefined);
    if (open !== undefined && open.count > 0 && idle) {
      const wait = Math.max(0, this.#settings.maxDelayMs - (performance.now() - open.openedAt));
      this.#timer = setTimeout(() => this.#pump(), wait);
    }
  }

  #send(slot: Slot, batch: Batch): void {
    slot.job = batch;
    slot.worker.ref();
    let message: ToWorker;
    if (batch.rows !== undefined) {
      message = { type: 'rows', id: batch.id, rows: batch.rows.subarray(0, batch.count * this.#rowLength) };
    } else if (batch.segment !== undefined) {
      message = {
        type: 'segment',
        id: batch.id,
        volume: batch.segment.volume,
        options: batch.segment.options,
      };
    } else {
      message = { type: 'input', id: batch.id, input: batch.input as ClassifierInput };
    }
    const info = { samples: batch.count, requests: batch.waiters.length };
    // Before the post: a worker terminated here never starts on the batch, so a test's kill is not a race.
    this.#hooks.onSend?.(slot.worker, info);
    try {
      slot.worker.postMessage(message);
    } catch (error) {
      // Not cloneable (a pass-through input holding functions, say): that call alone fails.
      this.#finish(slot);
      fail(batch, new TypeError(`predict: cannot pass the input to a worker: ${(error as Error).message}`));
      return;
    }
    if (batch.count > 0) this.#hooks.onBatch?.(info);
  }

  #finish(slot: Slot): Batch | undefined {
    const batch = slot.job;
    slot.job = undefined;
    slot.worker.unref();
    // A few buffers circulate; more would only keep the memory of a past burst.
    if (batch?.rows !== undefined && this.#free.length <= this.#settings.workers) {
      this.#free.push(batch.rows.buffer as SharedArrayBuffer);
    }
    this.#schedule();
    return batch;
  }

  #spawn(): Promise<Loaded> {
    // execArgv empty: the worker runs our built entry, and the caller's loader flags (--conditions selecting
    // TypeScript sources, --input-type, --import hooks) would break or slow it.
    const worker = new Worker(WORKER_ENTRY, { workerData: this.#setup, execArgv: [] });
    const slot: Slot = { worker, ready: false };
    this.#slots.add(slot);
    this.#hooks.onSpawn?.(worker);
    return new Promise<Loaded>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          slot.ready = true;
          worker.unref();
          resolve({ provider: message.provider, contract: message.contract });
          this.#schedule();
        } else if (message.type === 'load-error') {
          slot.lastError = revive(message.error);
          reject(slot.lastError);
        } else if (message.type === 'progress') {
          if (slot.job?.id === message.id) {
            slot.job.segment?.onProgress?.({ windows: message.windows, total: message.total });
          }
        } else {
          const batch = this.#finish(slot);
          // The next batch goes out before this one's callers run: on a busy machine a turn of the event loop
          // can take milliseconds, and the worker would sit idle through it.
          this.#pump();
          if (batch === undefined || batch.id !== message.id) return;
          if (message.type === 'result') settle(batch, message.probabilities, this.#classes);
          else if (message.type === 'segmented') batch.waiters[0]?.resolve(message.segmentation);
          else fail(batch, revive(message.error));
        }
      });
      worker.on('error', (error) => {
        slot.lastError = error;
      });
      worker.on('exit', (code) => {
        this.#slots.delete(slot);
        if (!slot.ready) {
          reject(slot.lastError ?? new Error(`worker pool: a worker exited with code ${code} while loading`));
          if (this.#classes > 0) this.#replacementFailed(slot.lastError, code);
          return;
        }
        if (this.#closing && slot.job === undefined) return;
        this.#died(slot, code);
      });
    });
  }

  #died(slot: Slot, code: number): void {
    const why = slot.lastError?.message ?? `exit code ${code}`;
    const batch = slot.job;
    slot.job = undefined;
    if (batch !== undefined) {
      if (batch.retries === 0) {
        batch.retries++;
        this.#ready.unshift(batch);
      } else {
        fail(
          batch,
          new Error(`predict: the worker running this call died twice (${why}); not retried again`),
        );
      }
    }
    this.#replaced++;
    this.#spawn().catch(() => {
      // #replacementFailed has already failed the waiting calls.
    });
  }

  /** A replacement worker could not load the model: with no worker left, every waiting call fails now. */
  #replacementFailed(error: Error | undefined, code: number): void {
    if (this.#slots.size > 0) return;
    const why = error?.message ?? `exit code ${code}`;
    this.#broken = new Error(`predict: no worker can run the model: a replacement failed to load (${why})`);
    const waiting = this.#open === undefined ? this.#ready.splice(0) : [...this.#ready.splice(0), this.#open];
    this.#open = undefined;
    for (const batch of waiting) fail(batch, this.#broken);
  }
}

function isTensorLike(input: ClassifierInput): input is { data: Float32Array; dims: readonly number[] } {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'dims' in input;
}

function allFinite(values: Float64Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    if (v - v !== 0) return false;
  }
  return true;
}
