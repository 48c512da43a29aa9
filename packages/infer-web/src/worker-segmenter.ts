// The page's side of a segmenter that runs in a Web Worker (segment-worker.ts): the same Segmenter API, so a
// segmentation never blocks the page's main thread. Only messages are handled here: the volume goes over (copied,
// or moved with `transfer`), progress and the label map come back.
import {
  ContractError,
  InputError,
  type ModelContract,
  type Segmentation,
  type Segmenter,
  type SegmentOptions,
  type SegmentProgress,
  type Volume,
} from '@conv3d/core';
import type { ModelSource } from './model-source.js';
import type { WebProvider } from './providers.js';
import type { WebLoadOptions } from './web-session.js';
import type { FromWorker, MessagePort, PostedError, ToWorker } from './worker-protocol.js';

export interface WorkerSegmentOptions extends SegmentOptions {
  /** Move the volume's buffer to the worker instead of copying it (the caller's array becomes unusable). */
  transfer?: boolean;
}

export interface WorkerSegmenter extends Segmenter<WebProvider> {
  segment(volume: Volume, options?: WorkerSegmentOptions): Promise<Segmentation>;
}

/** A Worker running `@conv3d/infer-web/segment-worker`, as the page created it. */
export interface SegmentWorker extends MessagePort {
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** A script that fails to load or throws outside a request (a wrong URL, a CSP refusal). */
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

/** The one-line error for a worker that failed outside any request. */
function workerFailed(event: { message?: string }): Error {
  return new Error(
    `segment worker failed: ${event.message ?? 'its script did not load (check its URL and the CSP worker-src)'}`,
  );
}

interface Pending {
  resolve(result: Segmentation): void;
  reject(error: Error): void;
  onProgress?: ((progress: SegmentProgress) => void) | undefined;
}

/**
 * Opens a segmenter inside `worker` (a module Worker whose script is `@conv3d/infer-web/segment-worker`). URLs
 * (the model, `wasmPaths`) are resolved against the page, not the worker script. dispose terminates the worker.
 */
export async function loadWorkerSegmenter(
  worker: SegmentWorker,
  model: ModelSource,
  options: WebLoadOptions = {},
): Promise<WorkerSegmenter> {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const absolute = (url: string | URL) => (base === undefined ? String(url) : new URL(url, base).href);
  const posted: string | Uint8Array =
    model instanceof ArrayBuffer
      ? new Uint8Array(model)
      : model instanceof Uint8Array
        ? model
        : absolute(model);
  const wasmPaths = options.wasmPaths === undefined ? undefined : absolute(options.wasmPaths);
  const opened = new Promise<{ provider: WebProvider; contract: ModelContract }>((resolve, reject) => {
    const onOpen = (event: { data: unknown }) => {
      const message = event.data as FromWorker;
      if (message.type !== 'opened' && message.type !== 'open-failed') return;
      worker.removeEventListener('message', onOpen);
      if (message.type === 'opened') resolve(message);
      else reject(revive(message.error));
    };
    worker.addEventListener('message', onOpen);
    worker.addEventListener('error', (event) => reject(workerFailed(event)));
  });
  send(worker, { type: 'open', model: posted, options: { ...options, ...(wasmPaths && { wasmPaths }) } });
  try {
    const { provider, contract } = await opened;
    return new Client(worker, provider, contract);
  } catch (error) {
    worker.terminate();
    throw error;
  }
}

function send(worker: MessagePort, message: ToWorker, transfer: ArrayBuffer[] = []): void {
  worker.postMessage(message, transfer);
}

/** The worker's error as the class the same failure has on the calling thread. */
function revive(error: PostedError): Error {
  const make =
    error.name === 'InputError'
      ? InputError
      : error.name === 'ContractError'
        ? ContractError
        : error.name === 'RangeError'
          ? RangeError
          : error.name === 'TypeError'
            ? TypeError
            : Error;
  const revived = new make(error.message);
  if (make === Error && error.name !== 'Error') revived.name = error.name;
  return revived;
}

class Client implements WorkerSegmenter {
  readonly #worker: SegmentWorker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #disposed: Promise<void> | undefined;

  constructor(
    worker: SegmentWorker,
    readonly provider: WebProvider,
    readonly contract: ModelContract,
  ) {
    this.#worker = worker;
    worker.addEventListener('message', (event) => this.#receive(event.data as FromWorker));
    worker.addEventListener('error', (event) => {
      const error = workerFailed(event);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
  }

  segment(volume: Volume, options: WorkerSegmentOptions = {}): Promise<Segmentation> {
    if (this.#disposed) return Promise.reject(new Error('segment: the segmenter has been disposed'));
    const { onProgress, signal, transfer, ...rest } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#nextId++;
    return new Promise<Segmentation>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onProgress });
      // Rejects at once with the signal's reason, as on the calling thread; the worker stops before its next run.
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.#pending.delete(id)) return;
          reject(signal.reason);
          send(this.#worker, { type: 'abort', id });
        },
        { once: true },
      );
      try {
        send(
          this.#worker,
          { type: 'segment', id, volume: { data: volume?.data, dims: volume?.dims }, options: rest },
          transfer && volume?.data ? [volume.data.buffer as ArrayBuffer] : [],
        );
      } catch (error) {
        this.#pending.delete(id);
        reject(error);
      }
    });
  }

  #receive(message: FromWorker): void {
    if (message.type === 'disposed') return;
    if (!('id' in message)) return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.progress);
      return;
    }
    this.#pending.delete(message.id);
    if (message.type === 'segmented') pending.resolve(message.result);
    else pending.reject(revive(message.error));
  }

  dispose(): Promise<void> {
    this.#disposed ??= new Promise<void>((resolve) => {
      this.#worker.addEventListener('message', (event) => {
        if ((event.data as FromWorker).type !== 'disposed') return;
        this.#worker.terminate();
        resolve();
      });
      send(this.#worker, { type: 'dispose' });
    });
    return this.#disposed;
  }
}
