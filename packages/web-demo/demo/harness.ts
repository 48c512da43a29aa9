// The page the Node-side browser harness drives (src/node/browser-harness.ts): the library, bundled the same way
// as the demo, exposed on globalThis for page.evaluate.
import type { Segmentation, Segmenter, Volume } from '@conv3d/core';
import {
  load,
  loadSegmenter,
  loadWorkerSegmenter,
  type WebClassifier,
  type WebDevice,
  webgpuUnavailableReason,
} from '@conv3d/infer-web';
import type { SegmentRequest } from '../src/node/segment-request.js';
import { WASM_PATHS } from './page.js';
import { blobs, findPhantom } from './phantoms.js';

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

async function openRequested(request: SegmentRequest): Promise<Segmenter<string>> {
  const options = { device: request.device, wasmPaths: WASM_PATHS, numThreads: NUM_THREADS };
  if (!request.worker) return loadSegmenter(request.model, options);
  const worker = request.missingWorkerScript
    ? new Worker('./no-such-worker.js', { type: 'module' })
    : new Worker(new URL('./segment-worker.ts', import.meta.url), { type: 'module' });
  return loadWorkerSegmenter(worker, request.model, options);
}

/** Long tasks (> 50 ms) on this page's main thread while `work` runs, and the longest one. */
async function countLongTasks<T>(
  work: () => Promise<T>,
): Promise<{ value: T; count: number; longestMs: number }> {
  const entries: PerformanceEntry[] = [];
  // Start in a task of its own: the caller's task (which may have built a large volume) is not counted.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ type: 'longtask' });
  const value = await work();
  // Entries are delivered after the task ends: give the last one a frame to arrive.
  await new Promise((resolve) => setTimeout(resolve, 100));
  entries.push(...observer.takeRecords());
  observer.disconnect();
  return { value, count: entries.length, longestMs: Math.max(0, ...entries.map((e) => e.duration)) };
}

function summary(result: Segmentation, returnData: boolean) {
  const counts = new Array<number>(2 ** (8 * result.labels.BYTES_PER_ELEMENT)).fill(0);
  for (const label of result.labels) counts[label] = (counts[label] ?? 0) + 1;
  return {
    dims: result.dims,
    roi: result.roi,
    windows: result.windows,
    labelCounts: counts.slice(0, counts.findLastIndex((c) => c > 0) + 1),
    labels: returnData ? Array.from(result.labels) : null,
    probabilities: returnData && result.probabilities ? Array.from(result.probabilities) : null,
  };
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
  /** Decodes a PNG (a screenshot, base64) and reads the RGB at each [x, y]. */
  async pixels(png: string, at: [number, number][]) {
    const image = new Image();
    image.src = `data:image/png;base64,${png}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('harness page: no 2D canvas context');
    context.drawImage(image, 0, 0);
    return at.map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
  },
  /**
   * Opens a segmenter, segments one volume (timed, long tasks counted on this thread from the call to the
   * result, the model load excluded), disposes it.
   */
  async segment(request: SegmentRequest) {
    const segmenter = await openRequested(request);
    try {
      const asked = request.volume;
      const volume: Volume =
        'phantom' in asked
          ? findPhantom(asked.phantom).make()
          : 'blobs' in asked
            ? blobs(asked.blobs.dims, asked.blobs.seed, asked.blobs.count)
            : { data: Float32Array.from(asked.data), dims: asked.dims };
      let progressCalls = 0;
      let ms = 0;
      const controller = new AbortController();
      const { value, count, longestMs } = await countLongTasks(async () => {
        const started = performance.now();
        const result = await segmenter.segment(volume, {
          ...request.options,
          ...(request.transfer && { transfer: true }),
          signal: controller.signal,
          onProgress: () => {
            progressCalls++;
            if (progressCalls === request.abortAfter) controller.abort(new Error('aborted by the harness'));
          },
        });
        ms = performance.now() - started;
        return result;
      });
      return {
        provider: segmenter.provider,
        ms,
        longTasks: count,
        longestTaskMs: longestMs,
        progressCalls,
        ...summary(value, request.returnData),
      };
    } finally {
      await segmenter.dispose();
    }
  },
};

export type HarnessApi = typeof harness;
(globalThis as { conv3dHarness?: HarnessApi }).conv3dHarness = harness;
document.body.dataset.state = 'ready';
