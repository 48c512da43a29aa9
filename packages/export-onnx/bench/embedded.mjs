// The embedded-preprocessing file (raw rows in) against the JS preprocessing + the plain file, on onnxruntime-node
// CPU: the same seed architecture, the same rows, one process, the two measured interleaved (alternating which goes
// first), medians. Also batch-1 latency and the file growth.
// Run after a build: node bench/embedded.mjs [runs] [dataset.h5]
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { defineContract, mulberry32, preprocessBatch, SEED_CONTRACT } from '@conv3d/core';
import { openDataset } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { convertModel } from '../dist/index.js';
import { seedModel } from './seed-model.mjs';

const runs = Number(process.argv[2] ?? 41);
const dataPath =
  process.argv[3] ?? new URL('../../data/artifacts/full_dataset_vectors.h5', import.meta.url).pathname;
const BATCH = 100;
const WARMUP = 5;
const VOXELS = SEED_CONTRACT.rawLength;
const SAMPLE_SHAPE = SEED_CONTRACT.inputShape;
await tf.setBackend('cpu');

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
  const random = mulberry32(12345);
  for (let i = 0; i < rows.length; i++) rows[i] = random() < 0.125 ? random() : 0;
  return { rows, source: 'synthetic rows (no dataset; run `npx turbo run dataset`)' };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const model = seedModel();
const plainBytes = convertModel(model).bytes;
const embeddedBytes = convertModel(model, { embedPreprocessing: true }).bytes;
const opencvBytes = convertModel(model, { embedPreprocessing: true, opencvCompatible: true }).bytes;
model.dispose();
const plain = await ort.InferenceSession.create(plainBytes, { executionProviders: ['cpu'] });
const embedded = await ort.InferenceSession.create(embeddedBytes, { executionProviders: ['cpu'] });
const opencv = await ort.InferenceSession.create(opencvBytes, { executionProviders: ['cpu'] });

/** Today's path: raw rows → @conv3d/core preprocessing → the plain file. */
async function viaJs(rows, n) {
  const x = new ort.Tensor('float32', preprocessBatch(SEED_CONTRACT, rows, n), [n, ...SAMPLE_SHAPE]);
  const out = await plain.run({ [plain.inputNames[0]]: x });
  return out[plain.outputNames[0]].data;
}

/** The embedded file: raw rows (float64 rows cast to float32) straight in. */
async function viaGraph(rows, n) {
  const x = new ort.Tensor('float32', Float32Array.from(rows), [n, VOXELS]);
  const out = await embedded.run({ [embedded.inputNames[0]]: x });
  return out[embedded.outputNames[0]].data;
}

/** The opencvCompatible file (Relu hinges instead of Gather) on the same float32 rows. */
async function viaOpencvGraph(rows, n) {
  const x = new ort.Tensor('float32', Float32Array.from(rows), [n, VOXELS]);
  const out = await opencv.run({ [opencv.inputNames[0]]: x });
  return out[opencv.outputNames[0]].data;
}

/** The preprocessing alone: @conv3d/core in JS, and the embedded graph in front of a Flatten-only model. */
const flatten = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [...SAMPLE_SHAPE] })] });
const labels = Array.from({ length: SAMPLE_SHAPE.reduce((a, b) => a * b, 1) }, (_, i) => String(i));
const colours = await ort.InferenceSession.create(
  convertModel(flatten, { contract: defineContract({ ...SEED_CONTRACT, labels }), embedPreprocessing: true })
    .bytes,
  { executionProviders: ['cpu'] },
);
flatten.dispose();
async function preprocessJs(rows, n) {
  return preprocessBatch(SEED_CONTRACT, rows, n);
}
async function preprocessGraph(rows, n) {
  const x = new ort.Tensor('float32', Float32Array.from(rows), [n, VOXELS]);
  return (await colours.run({ [colours.inputNames[0]]: x }))[colours.outputNames[0]].data;
}

/** Medians of a and b, run alternately (which goes first alternates too), and the median of the paired ratios b/a. */
async function interleaved(a, b, rows, n) {
  const times = { a: [], b: [], ratio: [] };
  for (let i = 0; i < WARMUP + runs; i++) {
    const pair = {};
    for (const key of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
      const t0 = performance.now();
      await (key === 'a' ? a : b)(rows, n);
      pair[key] = performance.now() - t0;
    }
    if (i < WARMUP) continue;
    times.a.push(pair.a);
    times.b.push(pair.b);
    times.ratio.push(pair.b / pair.a);
  }
  return { js: median(times.a), graph: median(times.b), ratio: median(times.ratio) };
}

const { rows, source } = await rawRows(BATCH);
let maxDiff = 0;
const [a, b] = [await viaJs(rows, BATCH), await viaGraph(rows, BATCH)];
for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));

const load0 = loadavg();
const batch = await interleaved(viaJs, viaGraph, rows, BATCH);
const single = await interleaved(viaJs, viaGraph, rows.subarray(0, VOXELS), 1);
const pre = await interleaved(preprocessJs, preprocessGraph, rows, BATCH);
const compatible = await interleaved(viaJs, viaOpencvGraph, rows, BATCH);
const load1 = loadavg();
await Promise.all([plain.release(), embedded.release(), opencv.release(), colours.release()]);

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
  `batch ${BATCH}: JS preprocessing + plain file ${batch.js.toFixed(2)} ms, embedded file ${batch.graph.toFixed(2)} ms, ratio of medians ${(batch.graph / batch.js).toFixed(3)}×, median paired ratio ${batch.ratio.toFixed(3)}× (target ≤ 1.05×)`,
);
console.log(
  `batch ${BATCH}, --opencv-compatible file: JS path ${compatible.js.toFixed(2)} ms, opencv-compatible ${compatible.graph.toFixed(2)} ms, median paired ratio ${compatible.ratio.toFixed(3)}×`,
);
console.log(
  `batch 1: JS preprocessing + plain file ${single.js.toFixed(3)} ms, embedded file ${single.graph.toFixed(3)} ms, median paired ratio ${single.ratio.toFixed(3)}×`,
);
console.log(
  `preprocessing alone, batch ${BATCH}: JS ${pre.js.toFixed(2)} ms, in the graph (onnxruntime) ${pre.graph.toFixed(2)} ms`,
);
console.log(
  `file: plain ${plainBytes.length} bytes, embedded ${embeddedBytes.length} bytes, growth ${growth} bytes = colour table ${table} + ${growth - table} (budget 4096 + ${table})`,
);
