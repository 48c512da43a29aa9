// The browser classifier: @conv3d/core's classifier lifecycle over onnxruntime-web sessions (WebGPU or wasm build).
import { type Classifier, openClassifier } from '@conv3d/core';
import type { ModelSource } from './model-source.js';
import type { WebProvider } from './providers.js';
import { type WebLoadOptions, webModelOptions } from './web-session.js';

export type WebClassifier = Classifier<WebProvider>;

/** Loads an exported conv3d ONNX model from a URL or bytes and checks its contract. */
export async function load(model: ModelSource, options: WebLoadOptions = {}): Promise<WebClassifier> {
  return openClassifier(await webModelOptions(model, options));
}
