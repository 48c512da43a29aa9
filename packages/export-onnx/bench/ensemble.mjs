// Inference cost of an ensemble file against one member, on onnxruntime-node CPU: the shipped best config's
// architecture (configs/best-resnet.json; three members with different seeds; the weights do not change the cost),
// and the earlier configs/best.json as a reference single model, batch 100 of real test rows
// preprocessed once, the files timed interleaved round by round (rotating which goes first), medians and the median
// paired ratio to the single model. Run after a build: node bench/ensemble.mjs [rounds]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { contractToMetadata, preprocessBatch, SEED_CONTRACT } from '@conv3d/core';
import { openDataset } from '@conv3d/data';
import { BEST_CONFIG_PATH, buildModel, loadTrainConfig } from '@conv3d/train';
import { saveModelToDir } from '@conv3d/train/model-io';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { exportEnsembleFile, exportModelFile } from '../dist/index.js';

const rounds = Number(process.argv[2] ?? 21);
const BATCH = 100;
const WARMUP = 3;
const dataPath = new URL('../../data/artifacts/full_dataset_vectors.h5', import.meta.url).pathname;
await tf.setBackend('cpu');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpu = execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.*)/)?.[1] ?? 'unknown CPU';
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

const dir = mkdtempSync(join(tmpdir(), 'bench-ensemble-'));
const saveRun = async (configPath, seed, name) => {
  const model = buildModel(loadTrainConfig(configPath), { contract: SEED_CONTRACT, seed });
  model.setUserDefinedMetadata({ conv3d: contractToMetadata(SEED_CONTRACT) });
  await saveModelToDir(model, join(dir, name));
  model.dispose();
  return join(dir, name);
};
const runs = [];
for (let i = 0; i < 3; i++) runs.push(await saveRun(BEST_CONFIG_PATH, 100 + i, `member-${i}`));
const plainBest = fileURLToPath(new URL('../../train/configs/best.json', import.meta.url));
await exportModelFile(runs[0], join(dir, 'single.onnx'));
await exportEnsembleFile(runs.slice(0, 2), join(dir, 'ensemble-2.onnx'));
await exportEnsembleFile(runs, join(dir, 'ensemble-3.onnx'));
await exportModelFile(await saveRun(plainBest, 100, 'best-json'), join(dir, 'best-json-single.onnx'));
const files = ['single', 'ensemble-2', 'ensemble-3', 'best-json-single'];
const sessions = await Promise.all(
  files.map((f) =>
    ort.InferenceSession.create(readFileSync(join(dir, `${f}.onnx`)), { executionProviders: ['cpu'] }),
  ),
);

const ds = await openDataset(dataPath);
const rows = ds.read('test', 0, BATCH).x;
ds.close();
const x = new ort.Tensor('float32', preprocessBatch(SEED_CONTRACT, rows, BATCH), [
  BATCH,
  ...SEED_CONTRACT.inputShape,
]);
const run = async (s) => {
  const t0 = performance.now();
  await s.run({ [s.inputNames[0]]: x });
  return performance.now() - t0;
};
for (const s of sessions) for (let i = 0; i < WARMUP; i++) await run(s);

const loadBefore = load();
const times = files.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < files.length; k++) {
    const i = (k + r) % files.length;
    times[i].push(await run(sessions[i]));
  }
}
console.log(
  `CPU: ${cpu}; load average before ${loadBefore}, after ${load()}; onnxruntime-node CPU EP, batch ${BATCH}, ${rounds} interleaved rounds`,
);
files.forEach((f, i) => {
  const ratios = times[i].map((t, r) => t / times[0][r]);
  console.log(
    `${f}: median ${median(times[i]).toFixed(1)} ms per batch of ${BATCH}; median paired ratio to single ${median(ratios).toFixed(2)}×`,
  );
});
for (const s of sessions) await s.release();
rmSync(dir, { recursive: true, force: true });
