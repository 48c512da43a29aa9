import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { selectBackend } from '../src/backend.js';
import { CheckpointError, type LoopState, restoreCheckpoint, saveCheckpoint } from '../src/checkpoint.js';
import { emptyHistory } from '../src/history.js';
import { buildModel } from '../src/model.js';
import { tinyConfig } from './tiny-config.js';

const dir = mkdtempSync(join(tmpdir(), 'conv3d-ckpt-'));

beforeAll(async () => {
  await selectBackend('cpu');
});

const batch = (seed: number): [tf.Tensor, tf.Tensor] => [
  tf.randomUniform([6, 16, 16, 16, 3], 0, 1, 'float32', seed),
  tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 10).toFloat(),
];

const betaPowers = (model: tf.LayersModel): number[] => {
  const adam = model.optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
  return [adam.accBeta1.dataSync()[0] as number, adam.accBeta2.dataSync()[0] as number];
};

const snapshot = async (model: tf.LayersModel): Promise<Float32Array[]> => [
  ...model.getWeights().map((w) => w.dataSync() as Float32Array),
  ...(await model.optimizer.getWeights()).map((w) => Float32Array.from(w.tensor.dataSync())),
];

test('a restored model continues exactly: weights, Adam moments, step count and beta powers', async () => {
  const config = tinyConfig({ layers: tinyConfig().layers.filter((l) => l.className !== 'Dropout') });
  const live = buildModel(config);
  for (let step = 0; step < 26; step++) await live.trainOnBatch(...batch(step));
  const state: LoopState = {
    fingerprint: 'f',
    epochsDone: 3,
    history: emptyHistory(),
    epochSeconds: [1, 2, 3],
  };
  const file = join(dir, 'checkpoint.bin');
  await saveCheckpoint(file, live, state);

  const restored = buildModel(config, { seed: 999 });
  expect(await restoreCheckpoint(file, restored, 'f')).toEqual(state);
  expect(await snapshot(restored)).toEqual(await snapshot(live));
  // After 26 steps tfjs's setWeights alone would give float32 pow(beta, 27), which differs in the last bit
  // from the running product for both betas.
  expect(betaPowers(restored)).toEqual(betaPowers(live));

  await live.trainOnBatch(...batch(100));
  await restored.trainOnBatch(...batch(100));
  expect(await snapshot(restored)).toEqual(await snapshot(live));
});

test('a checkpoint for other settings, or a damaged one, is refused with a CheckpointError', async () => {
  const config = tinyConfig();
  const model = buildModel(config);
  const file = join(dir, 'other.bin');
  await saveCheckpoint(file, model, {
    fingerprint: 'a',
    epochsDone: 1,
    history: emptyHistory(),
    epochSeconds: [],
  });
  const target = buildModel(config);
  // Refusals allocate nothing that outlives them.
  const live = tf.memory().numTensors;
  await expect(restoreCheckpoint(file, target, 'b')).rejects.toThrow(CheckpointError);
  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, 'not a checkpoint');
  await expect(restoreCheckpoint(junk, target, 'a')).rejects.toThrow(
    `${junk}: not a conv3d-train checkpoint`,
  );
  const truncated = join(dir, 'truncated.bin');
  const whole = readFileSync(file);
  writeFileSync(truncated, whole.subarray(0, whole.length - 4));
  await expect(restoreCheckpoint(truncated, target, 'a')).rejects.toThrow(
    `${truncated}: truncated at tensor 'accBeta2'`,
  );
  expect(tf.memory().numTensors).toBe(live);
});

test('callback state and the weights callbacks keep round-trip outside the header, bit for bit', async () => {
  const model = buildModel(tinyConfig());
  const arrays = [
    { name: 'bestCheckpoint/w', shape: [2, 3], values: Float32Array.of(1, -2, 3.5, 1e-30, Math.PI, -0) },
    { name: 'earlyStopping/b', shape: [1], values: Float32Array.of(Number.MIN_VALUE) },
  ];
  const state: LoopState = {
    fingerprint: 'cb',
    epochsDone: 2,
    history: { ...emptyHistory(), learning_rate: [0.003, 0.0015] },
    epochSeconds: [1, 2],
    callbacks: { lr: 0.0015, stopped: true, plateau: { best: null, wait: 1, cooldownCounter: 0 } },
    arrays,
  };
  const file = join(dir, 'callbacks.bin');
  await saveCheckpoint(file, model, state);
  // The weights are stored as tensors, not as JSON numbers in the header.
  expect(readFileSync(file).toString('latin1')).not.toContain('3.14159');
  const restored = await restoreCheckpoint(file, buildModel(tinyConfig()), 'cb');
  expect(restored).toEqual(state);
  expect(Object.is(restored.arrays?.[0]?.values[5], -0)).toBe(true);
  const whole = readFileSync(file);
  const truncated = join(dir, 'callbacks-truncated.bin');
  writeFileSync(truncated, whole.subarray(0, whole.length - 4));
  await expect(restoreCheckpoint(truncated, buildModel(tinyConfig()), 'cb')).rejects.toThrow(
    `${truncated}: truncated at tensor 'accBeta2'`,
  );
});
