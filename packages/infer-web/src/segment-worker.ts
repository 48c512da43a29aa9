// The worker entry: loads one segmenter (loadSegmenter) and serves the page's WorkerSegmenter. All the work (model
// download, onnxruntime, preprocessing, sliding windows, argmax) happens here, off the page's main thread.
import { InputError, type Segmenter } from '@conv3d/core';
import type { WebProvider } from './providers.js';
import { loadSegmenter } from './web-segmenter.js';
import type { FromWorker, MessagePort, PostedError, ToWorker } from './worker-protocol.js';

const scope = globalThis as unknown as MessagePort & { close(): void };
let segmenter: Segmenter<WebProvider> | undefined;
const running = new Map<number, AbortController>();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  scope.postMessage(message, transfer);
}

function posted(error: unknown): PostedError {
  if (error instanceof Error)
    return { name: error instanceof InputError ? 'InputError' : error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'open': {
      try {
        segmenter = await loadSegmenter(message.model, message.options);
        post({ type: 'opened', provider: segmenter.provider, contract: segmenter.contract });
      } catch (error) {
        post({ type: 'open-failed', error: posted(error) });
      }
      return;
    }
    case 'segment': {
      const { id } = message;
      const controller = new AbortController();
      running.set(id, controller);
      try {
        if (segmenter === undefined) throw new Error('segment: the segmenter is not open');
        const result = await segmenter.segment(message.volume, {
          ...message.options,
          signal: controller.signal,
          onProgress: (progress) => post({ type: 'progress', id, progress }),
        });
        const transfer = [result.labels.buffer as ArrayBuffer];
        if (result.probabilities) transfer.push(result.probabilities.buffer as ArrayBuffer);
        post({ type: 'segmented', id, result }, transfer);
      } catch (error) {
        post({ type: 'segment-failed', id, error: posted(error) });
      } finally {
        running.delete(id);
      }
      return;
    }
    case 'abort':
      running.get(message.id)?.abort(new DOMException('segment: aborted', 'AbortError'));
      return;
    case 'dispose':
      await segmenter?.dispose();
      post({ type: 'disposed' });
      scope.close();
  }
}

scope.addEventListener('message', (event) => {
  handle(event.data as ToWorker);
});
