// A batch the pool sends to one worker: coalesced raw rows from several predict calls, one call as is, or one
// volume to segment.
import type { ClassifierInput, Segmentation, SegmentProgress, Volume } from '@conv3d/core';
import type { WireSegmentOptions } from './messages.js';

export interface Waiter {
  /** Its first sample's position in the batch. */
  at: number;
  count: number;
  /** A predict call's probabilities, or a segment call's segmentation. */
  resolve(result: Float32Array | Segmentation): void;
  reject(error: Error): void;
}

export interface Batch {
  id: number;
  /** Rows back to back; samples beyond `count` are unused capacity. Absent for a pass-through call. */
  rows?: Float64Array;
  /** A call passed through as is (see pack.ts). */
  input?: ClassifierInput;
  /** A segment call: its volume and options; progress reports go to `onProgress` on the main thread. */
  segment?: {
    volume: Volume;
    options: WireSegmentOptions;
    onProgress?: ((progress: SegmentProgress) => void) | undefined;
  };
  count: number;
  waiters: Waiter[];
  /** When its first call arrived (performance.now()). */
  openedAt: number;
  /** Times it was sent again after its worker died. */
  retries: number;
}

export function settle(batch: Batch, probabilities: Float32Array, classes: number): void {
  // A pass-through call's sample count is the worker's to know: it gets the whole answer.
  if (batch.rows === undefined) {
    batch.waiters[0]?.resolve(probabilities);
    return;
  }
  for (const w of batch.waiters) {
    w.resolve(probabilities.subarray(w.at * classes, (w.at + w.count) * classes));
  }
}

export function fail(batch: Batch, error: Error): void {
  for (const w of batch.waiters) w.reject(error);
}
