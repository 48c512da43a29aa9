// One seeded batch of n preprocessed-shaped inputs [n, 16, 16, 16, 3] and one-hot labels cycling 0–9, and the
// step time of a config on it, for the step benches (best-step.mjs, config-step.mjs, ema-step.mjs).
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../dist/index.js';
import { median } from './interleaved.mjs';

export function randomBatch(n) {
  const xs = tf.randomUniform([n, 16, 16, 16, 3], 0, 1, 'float32', 1);
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  );
  const ys = tf.oneHot(labels, 10).toFloat();
  labels.dispose();
  return { xs, ys };
}

/** Trains `config`'s model on one random batch at its batch size: `warmup` steps, then `steps` timed (seconds). */
export async function stepSeconds(config, warmup, steps) {
  const model = buildModel(config);
  const { xs, ys } = randomBatch(config.batchSize);
  const times = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(xs, ys);
    if (i >= warmup) times.push((performance.now() - t0) / 1000);
  }
  const params = model.countParams();
  model.dispose();
  xs.dispose();
  ys.dispose();
  return { batch: config.batchSize, params, median: median(times), times };
}
