import type { Worker } from 'node:worker_threads';
import type { LoadOptions } from '../load.js';

/** A batch the pool sent to a worker: how many samples it held and from how many predict calls. */
export interface BatchInfo {
  samples: number;
  requests: number;
}

export interface NodeLoadOptions extends LoadOptions {
  /**
   * Worker threads, each with its own onnxruntime session; predict then never blocks the caller's event loop.
   * 0 (the default) runs the session on the calling thread.
   */
  workers?: number;
  /** Most samples one coalesced batch holds (default 64). A larger single call still runs, as its own batch. */
  maxBatch?: number;
  /** How long the oldest waiting call may wait for others to join its batch, in ms (default 1). */
  maxDelayMs?: number;
  /** Called on the main thread for every batch sent to a worker (metrics). */
  onBatch?: (batch: BatchInfo) => void;
  /** Sees every worker thread the pool starts, replacements included (to watch its resources, say). */
  onWorker?: (worker: Worker) => void;
}

export interface PoolSettings {
  workers: number;
  maxBatch: number;
  maxDelayMs: number;
}

export const DEFAULT_MAX_BATCH = 64;
export const DEFAULT_MAX_DELAY_MS = 1;

/** Checks the pool options; throws a TypeError naming the option at fault. */
export function poolSettings(options: NodeLoadOptions): PoolSettings {
  const workers = options.workers ?? 0;
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (!Number.isInteger(workers) || workers < 0) {
    throw new TypeError(`load: workers must be a non-negative integer, got ${String(workers)}`);
  }
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new TypeError(`load: maxBatch must be a positive integer, got ${String(maxBatch)}`);
  }
  if (typeof maxDelayMs !== 'number' || !Number.isFinite(maxDelayMs) || maxDelayMs < 0) {
    throw new TypeError(`load: maxDelayMs must be a non-negative number, got ${String(maxDelayMs)}`);
  }
  return { workers, maxBatch, maxDelayMs };
}
