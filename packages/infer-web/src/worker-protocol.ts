// The messages between a page's WorkerSegmenter (worker-segmenter.ts) and the segment worker (segment-worker.ts).
// Everything crossing is structured-cloneable: options without their callback and signal, errors as name + message.
import type { ModelContract, Segmentation, SegmentOptions, SegmentProgress, Volume } from '@conv3d/core';
import type { WebProvider } from './providers.js';
import type { WebLoadOptions } from './web-session.js';

/** SegmentOptions minus what cannot be posted; progress and abort travel as their own messages. */
export type PostedSegmentOptions = Omit<SegmentOptions, 'onProgress' | 'signal'>;

export type ToWorker =
  | { type: 'open'; model: string | Uint8Array; options: WebLoadOptions }
  | { type: 'segment'; id: number; volume: Volume; options: PostedSegmentOptions }
  | { type: 'abort'; id: number }
  | { type: 'dispose' };

export interface PostedError {
  name: string;
  message: string;
}

export type FromWorker =
  | { type: 'opened'; provider: WebProvider; contract: ModelContract }
  | { type: 'open-failed'; error: PostedError }
  | { type: 'progress'; id: number; progress: SegmentProgress }
  | { type: 'segmented'; id: number; result: Segmentation }
  | { type: 'segment-failed'; id: number; error: PostedError }
  | { type: 'disposed' };

/** The part of a Worker (or a worker's global scope) used here: the package compiles without the DOM lib. */
export interface MessagePort {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}
