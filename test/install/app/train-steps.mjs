// A user's training script: two Adam steps of the seed model, then of the shipped best config (a residual graph
// config read from the installed package's configs/), on rows.json's real rows with the installed @conv3d/train, on
// its fast CPU path. Prints one JSON line: the backend chosen, its kernels, losses, step times, the best losses.
import { readFileSync } from 'node:fs';
import { preprocessBatch, SEED_CONTRACT } from '@conv3d/core';
import {
  BEST_CONFIG_PATH,
  buildModel,
  compileModel,
  loadTrainConfig,
  SEED_CONFIG_PATH,
  selectBackend,
} from '@conv3d/train';
import * as tf from '@tensorflow/tfjs';

const { rows, labels } = JSON.parse(readFileSync('rows.json', 'utf8'));
const choice = await selectBackend('fast-cpu');
const config = loadTrainConfig(SEED_CONFIG_PATH);
const model = buildModel(config, { seed: 7 });
compileModel(model, config);
const x = tf.tensor(preprocessBatch(SEED_CONTRACT, Float64Array.from(rows.flat()), rows.length), [
  rows.length,
  ...SEED_CONTRACT.inputShape,
]);
const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
const losses = [];
const stepSeconds = [];
for (let step = 0; step < 2; step++) {
  const start = performance.now();
  const out = await model.trainOnBatch(x, y);
  stepSeconds.push((performance.now() - start) / 1000);
  losses.push(Array.isArray(out) ? out[0] : out);
}
const best = loadTrainConfig(BEST_CONFIG_PATH);
const bestModel = buildModel(best, { seed: 7 });
compileModel(bestModel, best);
const bestLosses = [];
for (let step = 0; step < 2; step++) {
  const out = await bestModel.trainOnBatch(x, y);
  bestLosses.push(Array.isArray(out) ? out[0] : out);
}
process.stdout.write(
  `${JSON.stringify({ backend: choice.name, detail: choice.detail, losses, stepSeconds, best: best.name, bestLosses })}\n`,
);
