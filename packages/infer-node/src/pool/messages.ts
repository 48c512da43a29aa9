// The messages between the pool (main thread) and its workers.
import type {
  ClassifierInput,
  ModelContract,
  Segmentation,
  SegmentOptions,
  Task,
  Volume,
} from '@conv3d/core';
import type { NodeDevice, NodeProvider } from '../session.js';

export interface WorkerSetup {
  /** A path (each worker reads it) or the model's bytes (cloned into each worker). */
  model: string | Uint8Array;
  device: NodeDevice;
  /** What the workers load: a classifier (batched predict calls) or a segmenter (one volume per job). */
  task: Task;
}

/** Segment options that cross to a worker: functions and the signal stay on the main thread. */
export type WireSegmentOptions = Omit<SegmentOptions, 'onProgress' | 'signal'>;

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

/** One volume to segment (its data cloned into the worker). */
export interface RunSegment {
  type: 'segment';
  id: number;
  volume: Volume;
  options: WireSegmentOptions;
}

/** Stop the segmentation `id` before its next model run. */
export interface Cancel {
  type: 'cancel';
  id: number;
}

export interface Close {
  type: 'close';
}

export type ToWorker = RunRows | RunInput | RunSegment | Cancel | Close;

export interface SerializedError {
  name: string;
  message: string;
}

export type FromWorker =
  | { type: 'ready'; provider: NodeProvider; contract: ModelContract }
  | { type: 'load-error'; error: SerializedError }
  /** `probabilities`: [count, classes] row-major, transferred. */
  | { type: 'result'; id: number; probabilities: Float32Array }
  /** A segmentation's label map (and probabilities), transferred. */
  | { type: 'segmented'; id: number; segmentation: Segmentation }
  | { type: 'progress'; id: number; windows: number; total: number }
  | { type: 'error'; id: number; error: SerializedError };
