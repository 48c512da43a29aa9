// The embedded-preprocessing file (raw rows in) against the JS preprocessing + the plain file, on onnxruntime-node
// CPU: the same seed architecture, the same rows, one process, the two measured interleaved (alternating which goes
// first), medians. Also batch-1 latency and the file growth.
// Run after a build: node bench/embedded.mjs [runs] [dataset.h5]
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openDataset, preprocessBatch, SAMPLE_SHAPE, VOXELS } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { convertModel } from '../dist/index.js';

const runs = Number(process.argv[2] ?? 41);
const dataPath =
  process.argv[3] ?? new URL('../../data/artifacts/full_dataset_vectors.h5', import.meta.url).pathname;
const BATCH = 100;
const WARMUP = 5;
await tf.setBackend('cpu');

function seedModel() {
  return tf.sequential({
    layers: [
      tf.layers.conv3d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [16, 16, 16, 3] }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.conv3d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** The first `count` real test rows (float64, as the HDF5 file stores them); synthetic rows without the dataset. */
async function rawRows(count) {
  if (existsSync(dataPath)) {
    const dataset = await openDataset(dataPath);
    try {
      return { rows: Float64Array.from(dataset.read('test', 0, count).x), source: dataPath };
    } finally {
      dataset.close();
    }
  }
  const rows = new Float64Array(count * VOXELS);
  let seed = 12345;
  for (let i = 0; i < rows.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    rows[i] = seed % 8 === 0 ? (seed >>> 8) / 16777216 : 0;
  }
  return { rows, source: 'synthetic rows (no dataset; run `npx turbo run dataset`)' };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const model = seedModel();
const plainBytes = convertModel(model).bytes;
const embeddedBytes = convertModel(model, { embedPreprocessing: true }).bytes;
model.dispose();
const plain = await ort.InferenceSession.create(plainBytes, { executionProviders: ['cpu'] });
const embedded = await ort.InferenceSession.create(embeddedBytes, { executionProviders: ['cpu'] });

/** Today's path: raw rows → @conv3d/data preprocessing → the plain file. */
async function viaJs(rows, n) {
  const x = new ort.Tensor('float32', preprocessBatch(rows, n), [n, ...SAMPLE_SHAPE]);
  const out = await plain.run({ [plain.inputNames[0]]: x });
  return out[plain.outputNames[0]].data;
}

/** The embedded file: raw rows (float64 rows cast to float32) straight in. */
async function viaGraph(rows, n) {
  const x = new ort.Tensor('float32', Float32Array.from(rows), [n, VOXELS]);
  const out = await embedded.run({ [embedded.inputNames[0]]: x });
  return out[embedded.outputNames[0]].data;
}

async function interleaved(rows, n) {
  const js = [];
  const graph = [];
  for (let i = 0; i < WARMUP + runs; i++) {
    const order = i % 2 === 0 ? [viaJs, viaGraph] : [viaGraph, viaJs];
    for (const fn of order) {
      const t0 = performance.now();
      await fn(rows, n);
      const ms = performance.now() - t0;
      if (i >= WARMUP) (fn === viaJs ? js : graph).push(ms);
    }
  }
  return { js: median(js), graph: median(graph) };
}

const { rows, source } = await rawRows(BATCH);
let maxDiff = 0;
const [a, b] = [await viaJs(rows, BATCH), await viaGraph(rows, BATCH)];
for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));

const load0 = loadavg();
const batch = await interleaved(rows, BATCH);
const single = await interleaved(rows.subarray(0, VOXELS), 1);
const load1 = loadavg();
await plain.release();
await embedded.release();

const growth = embeddedBytes.length - plainBytes.length;
const table = 257 * 3 * 4;
console.log(
  `CPU: ${cpus()[0]?.model} × ${cpus().length}; onnxruntime ${ort.env.versions.common} CPU EP; rows: ${source}`,
);
console.log(
  `load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${load1.map((l) => l.toFixed(2)).join(' ')}`,
);
console.log(
  `${runs} interleaved runs each after ${WARMUP} warm-ups, medians; max |embedded − JS path| = ${maxDiff.toExponential(2)}`,
);
console.log(
  `batch ${BATCH}: JS preprocessing + plain file ${batch.js.toFixed(2)} ms, embedded file ${batch.graph.toFixed(2)} ms, ratio ${(batch.graph / batch.js).toFixed(3)}× (target ≤ 1.05×)`,
);
console.log(
  `batch 1: JS preprocessing + plain file ${single.js.toFixed(3)} ms, embedded file ${single.graph.toFixed(3)} ms, ratio ${(single.graph / single.js).toFixed(3)}×`,
);
console.log(
  `file: plain ${plainBytes.length} bytes, embedded ${embeddedBytes.length} bytes, growth ${growth} bytes = colour table ${table} + ${growth - table} (budget 4096 + ${table})`,
);
