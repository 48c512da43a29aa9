// A pool worker: loads the model with the in-thread path and answers one batch at a time.
import { parentPort, workerData } from 'node:worker_threads';
import type { Prediction } from '@conv3d/core';
import { load } from '../load.js';
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

try {
  const classifier = await load(setup.model, { device: setup.device });
  const classes = classifier.contract.labels.length;
  port.on('message', async (message: ToWorker) => {
    if (message.type === 'close') {
      await classifier.dispose();
      port.close();
      return;
    }
    try {
      const input = message.type === 'rows' ? message.rows : message.input;
      const probabilities = flatten(await classifier.predict(input), classes);
      const reply: FromWorker = { type: 'result', id: message.id, probabilities };
      port.postMessage(reply, [probabilities.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ type: 'error', id: message.id, error: serialize(error) } satisfies FromWorker);
    }
  });
  port.postMessage({
    type: 'ready',
    provider: classifier.provider,
    contract: classifier.contract,
  } satisfies FromWorker);
} catch (error) {
  port.postMessage({ type: 'load-error', error: serialize(error) } satisfies FromWorker);
  port.close();
}
