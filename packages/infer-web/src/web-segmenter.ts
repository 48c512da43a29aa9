// The browser segmenter on the calling thread: @conv3d/core's segmenter (sliding windows included) over the same
// onnxruntime-web sessions as the classifier. Pages should run it in a worker (worker-segmenter.ts): a 256³ volume
// keeps a thread busy for seconds.
import { openSegmenter, type Segmenter } from '@conv3d/core';
import type { ModelSource } from './model-source.js';
import type { WebProvider } from './providers.js';
import { type WebLoadOptions, webModelOptions } from './web-session.js';

export type WebSegmenter = Segmenter<WebProvider>;

/** Loads an exported conv3d segmentation model (task 'segment') from a URL or bytes and checks its contract. */
export async function loadSegmenter(model: ModelSource, options: WebLoadOptions = {}): Promise<WebSegmenter> {
  return openSegmenter(await webModelOptions(model, options));
}
