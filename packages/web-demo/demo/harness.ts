// The page the Node-side browser harness drives (src/node/browser-harness.ts): the library, bundled the same way
// as the demo, exposed on globalThis for page.evaluate.
import { load, type WebClassifier, type WebDevice, webgpuUnavailableReason } from '@conv3d/infer-web';

const WASM_PATHS = new URL('./ort/', window.location.href).href;
// harness.html?threads=N: onnxruntime's wasm threads (the page must be cross-origin isolated for N > 1).
const NUM_THREADS = Number(new URLSearchParams(window.location.search).get('threads') ?? '1');
const classifiers = new Map<WebDevice, Promise<WebClassifier>>();

function classifierFor(device: WebDevice): Promise<WebClassifier> {
  let pending = classifiers.get(device);
  if (pending === undefined) {
    pending = load('./model.onnx', { device, wasmPaths: WASM_PATHS, numThreads: NUM_THREADS });
    classifiers.set(device, pending);
    pending.catch(() => classifiers.delete(device));
  }
  return pending;
}

const harness = {
  webgpuUnavailableReason,
  /** Classifies raw vectors; probabilities come back as plain arrays (they cross the page boundary as JSON). */
  async classify(vectors: number[][], device: WebDevice) {
    const classifier = await classifierFor(device);
    const predictions = await classifier.predict(vectors);
    return {
      provider: classifier.provider,
      probabilities: predictions.map((p) => Array.from(p.probabilities)),
    };
  },
  /** Batch-1 predict latencies in ms, preprocessing included, after `warmup` untimed runs. */
  async latencies(vector: number[], device: WebDevice, runs: number, warmup: number) {
    const classifier = await classifierFor(device);
    for (let i = 0; i < warmup; i++) await classifier.predict(vector);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await classifier.predict(vector);
      times.push(performance.now() - started);
    }
    return { provider: classifier.provider, times };
  },
};

export type HarnessApi = typeof harness;
(globalThis as { conv3dHarness?: HarnessApi }).conv3dHarness = harness;
document.body.dataset.state = 'ready';
