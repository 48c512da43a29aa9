// The fused Adam step (one native call for all variables) against tfjs's own AdamOptimizer on
// stock cpu: the same float32 operations in the same order, so the results must be EQUAL, not
// just close. And its state goes through checkpoints so a resumed run continues bit for bit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { restoreCheckpoint, saveCheckpoint } from '../src/checkpoint.js';
import { FastAdamOptimizer, fastAdam } from '../src/fast-cpu/adam.js';
import { FAST_CPU_BACKEND, useFastCpuBackend } from '../src/fast-cpu/index.js';
import { emptyHistory } from '../src/history.js';
import { buildModel } from '../src/model.js';
import { randomArray } from './fast-cpu-helpers.js';
import { tinyConfig } from './tiny-config.js';

beforeAll(async () => {
  const info = await useFastCpuBackend();
  expect(info.kernels, info.fallbackReason).toMatch(/^native-/);
});

const SHAPES = [[3, 3, 3, 3, 8], [8], [300, 70], [70], [70, 10], [10]];

async function adamSteps(backend: string, make: () => tf.Optimizer, steps: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const variables = SHAPES.map((s, i) =>
    tf.variable(tf.tensor(randomArray(s, 400 + i), s), true, `adam-w${i}`),
  );
  const optimizer = make();
  for (let step = 0; step < steps; step++) {
    // Gradients over six orders of magnitude, some exactly zero: Adam's division meets them all.
    const grads = variables.map((v, i) => ({
      name: v.name,
      tensor: tf.tensor(
        randomArray(v.shape, 500 + 10 * step + i).map((g, j) => (j % 7 === 0 ? 0 : g * 10 ** ((j % 6) - 5))),
        v.shape,
      ),
    }));
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
  const weights = await optimizer.getWeights();
  const out = [
    ...variables.map((v) => Float32Array.from(v.dataSync())),
    ...weights.map((w) => Float32Array.from(w.tensor.dataSync())),
  ];
  const internals = optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
  out.push(
    Float32Array.from(internals.accBeta1.dataSync()),
    Float32Array.from(internals.accBeta2.dataSync()),
  );
  tf.dispose(variables);
  optimizer.dispose();
  return out;
}

describe('the fused Adam update', () => {
  for (const [lr, beta1, beta2, epsilon] of [
    [1e-3, 0.9, 0.999, undefined],
    [3e-3, 0.85, 0.99, 1e-5],
  ] as const) {
    it(`equals tfjs's Adam exactly (lr ${lr}, beta1 ${beta1}, beta2 ${beta2}, epsilon ${epsilon ?? 'default'})`, async () => {
      const expected = await adamSteps('cpu', () => tf.train.adam(lr, beta1, beta2, epsilon), 5);
      const actual = await adamSteps(FAST_CPU_BACKEND, () => fastAdam(lr, beta1, beta2, epsilon), 5);
      expect(actual.length).toBe(expected.length);
      for (const [i, e] of expected.entries()) expect(actual[i], `tensor ${i}`).toEqual(e);
    });
  }

  it('is tfjs`s Adam on the stock backend and to the checkpoint code', async () => {
    const expected = await adamSteps('cpu', () => tf.train.adam(1e-3), 3);
    const actual = await adamSteps('cpu', () => fastAdam(1e-3), 3);
    for (const [i, e] of expected.entries()) expect(actual[i], `tensor ${i}`).toEqual(e);
    expect(fastAdam()).toBeInstanceOf(tf.AdamOptimizer);
    expect(fastAdam().getClassName()).toBe('Adam');
  });
});

describe('on the fast backend, a checkpointed run', () => {
  it('continues after restore exactly as the uninterrupted run', async () => {
    await tf.setBackend(FAST_CPU_BACKEND);
    const config = tinyConfig({ layers: tinyConfig().layers.filter((l) => l.className !== 'Dropout') });
    const batch = (seed: number): [tf.Tensor, tf.Tensor] => [
      tf.tensor(
        randomArray([6, 16, 16, 16, 3], seed).map((v) => (v + 1) / 2),
        [6, 16, 16, 16, 3],
      ),
      tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 10).toFloat(),
    ];
    const snapshot = async (model: tf.LayersModel): Promise<Float32Array[]> => [
      ...model.getWeights().map((w) => Float32Array.from(w.dataSync())),
      ...(await model.optimizer.getWeights()).map((w) => Float32Array.from(w.tensor.dataSync())),
    ];
    const live = buildModel(config);
    expect(live.optimizer).toBeInstanceOf(FastAdamOptimizer);
    for (let step = 0; step < 12; step++) await live.trainOnBatch(...batch(step));
    const file = join(mkdtempSync(join(tmpdir(), 'conv3d-fast-ckpt-')), 'checkpoint.bin');
    const state = { fingerprint: 'f', epochsDone: 1, history: emptyHistory(), epochSeconds: [1] };
    await saveCheckpoint(file, live, state);
    const restored = buildModel(config, { seed: 999 });
    await restoreCheckpoint(file, restored, 'f');
    expect(await snapshot(restored)).toEqual(await snapshot(live));
    for (let step = 12; step < 15; step++) {
      await live.trainOnBatch(...batch(step));
      await restored.trainOnBatch(...batch(step));
    }
    expect(await snapshot(restored)).toEqual(await snapshot(live));
  });
});
