// A pool worker: loads the model with the in-thread path and answers one job at a time: a batch of rows for a
// classifier, a volume for a segmenter (whose progress it reports and which a 'cancel' stops between model runs).
import { parentPort, workerData } from 'node:worker_threads';
import type { Prediction, Segmentation } from '@conv3d/core';
import { load, loadSegmenter, type NodeClassifier, type NodeSegmenter } from '../load.js';
import type { FromWorker, SerializedError, ToWorker, WorkerSetup } from './messages.js';

const port = parentPort;
if (port === null) throw new Error('the conv3d pool worker must run in a worker thread');
const setup = workerData as WorkerSetup;

const serialize = (error: unknown): SerializedError =>
  error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };

function flatten(predictions: Prediction[], classes: number): Float32Array {
  const out = new Float32Array(predictions.length * classes);
  predictions.forEach((p, i) => {
    out.set(p.probabilities, i * classes);
  });
  return out;
}

/** The buffers a segmentation's answer moves back to the main thread without a copy. */
function transferables(segmentation: Segmentation): ArrayBuffer[] {
  const buffers = [segmentation.labels.buffer as ArrayBuffer];
  const { probabilities } = segmentation;
  if (probabilities !== undefined && probabilities.buffer !== buffers[0]) {
    buffers.push(probabilities.buffer as ArrayBuffer);
  }
  return buffers;
}

try {
  const model: NodeClassifier | NodeSegmenter =
    setup.task === 'segment'
      ? await loadSegmenter(setup.model, { device: setup.device })
      : await load(setup.model, { device: setup.device });
  const classes = model.contract.labels.length;
  const running = new Map<number, AbortController>();
  port.on('message', async (message: ToWorker) => {
    if (message.type === 'close') {
      await model.dispose();
      port.close();
      return;
    }
    if (message.type === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    try {
      if (message.type === 'segment') {
        const controller = new AbortController();
        running.set(message.id, controller);
        const segmentation = await (model as NodeSegmenter)
          .segment(message.volume, {
            ...message.options,
            signal: controller.signal,
            onProgress: ({ windows, total }) => {
              port.postMessage({ type: 'progress', id: message.id, windows, total } satisfies FromWorker);
            },
          })
          .finally(() => running.delete(message.id));
        const reply: FromWorker = { type: 'segmented', id: message.id, segmentation };
        port.postMessage(reply, transferables(segmentation));
        return;
      }
      const input = message.type === 'rows' ? message.rows : message.input;
      const probabilities = flatten(await (model as NodeClassifier).predict(input), classes);
      const reply: FromWorker = { type: 'result', id: message.id, probabilities };
      port.postMessage(reply, [probabilities.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ type: 'error', id: message.id, error: serialize(error) } satisfies FromWorker);
    }
  });
  port.postMessage({
    type: 'ready',
    provider: model.provider,
    contract: model.contract,
  } satisfies FromWorker);
} catch (error) {
  port.postMessage({ type: 'load-error', error: serialize(error) } satisfies FromWorker);
  port.close();
}
