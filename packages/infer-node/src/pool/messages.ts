// The messages between the pool (main thread) and its workers.
import type { ClassifierInput, ModelContract } from '@conv3d/core';
import type { NodeDevice, NodeProvider } from '../session.js';

export interface WorkerSetup {
  /** A path (each worker reads it) or the model's bytes (cloned into each worker). */
  model: string | Uint8Array;
  device: NodeDevice;
}

/** A coalesced batch of raw rows, back to back: a view on a SharedArrayBuffer, so posting it copies nothing. */
export interface RunRows {
  type: 'rows';
  id: number;
  rows: Float64Array;
}

/** One predict call passed through as is (inputs the pool does not coalesce, e.g. preprocessed tensors). */
export interface RunInput {
  type: 'input';
  id: number;
  input: ClassifierInput;
}

export interface Close {
  type: 'close';
}

export type ToWorker = RunRows | RunInput | Close;

export interface SerializedError {
  name: string;
  message: string;
}

export type FromWorker =
  | { type: 'ready'; provider: NodeProvider; contract: ModelContract }
  | { type: 'load-error'; error: SerializedError }
  /** `probabilities`: [count, classes] row-major, transferred. */
  | { type: 'result'; id: number; probabilities: Float32Array }
  | { type: 'error'; id: number; error: SerializedError };
