import { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { maxAbsDiff, opCount, transposeChains } from './helpers/onnx.js';
import { expectParity, TOLERANCE } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

/** input → two conv branches (one channels-first, one the raw channels-last input) → merge → head. */
function residualModel(merge: (inputs: tf.SymbolicTensor[]) => tf.SymbolicTensor): tf.LayersModel {
  const x = tf.input({ shape: [5, 4, 6, 3] });
  const a = tf.layers
    .conv3d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(x) as tf.SymbolicTensor;
  const b = tf.layers.conv3d({ filters: 3, kernelSize: 1 }).apply(a) as tf.SymbolicTensor;
  const merged = merge([b, x, a]);
  const flat = tf.layers.flatten().apply(merged) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: 4, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

describe('functional models with merge layers', () => {
  it.each([
    ['Add', (t: tf.SymbolicTensor[]) => tf.layers.add().apply(t)],
    ['Multiply', (t: tf.SymbolicTensor[]) => tf.layers.multiply().apply(t)],
    ['Average', (t: tf.SymbolicTensor[]) => tf.layers.average().apply(t)],
    ['Maximum', (t: tf.SymbolicTensor[]) => tf.layers.maximum().apply(t)],
    ['Minimum', (t: tf.SymbolicTensor[]) => tf.layers.minimum().apply(t)],
    ['Concatenate (channels)', (t: tf.SymbolicTensor[]) => tf.layers.concatenate().apply(t)],
    ['Concatenate axis 2', (t: tf.SymbolicTensor[]) => tf.layers.concatenate({ axis: 2 }).apply(t)],
  ] as const)('%s', async (_, merge) => {
    const model = residualModel((t) => merge(t) as tf.SymbolicTensor);
    randomizeWeights(model, 61);
    const { bytes } = await expectParity(model);
    // In: input → channels-first once (shared); out: merged → channels-last once before Flatten.
    expect(opCount(bytes, 'Transpose')).toBe(2);
  });
});

it('two inputs and two outputs keep their tfjs names and order', async () => {
  const a = tf.input({ shape: [4, 4, 2], name: 'left' });
  const b = tf.input({ shape: [4, 4, 2], name: 'right' });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 2, name: 'shared_conv' });
  const sum = tf.layers.add({ name: 'sum' }).apply([conv.apply(a), conv.apply(b)] as tf.SymbolicTensor[]);
  const probs = tf.layers
    .dense({ units: 3, activation: 'softmax', name: 'probs' })
    .apply(tf.layers.flatten().apply(sum)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [a, b], outputs: [probs, sum as tf.SymbolicTensor] });
  randomizeWeights(model, 62);
  const { bytes, summary } = convertModel(model);
  expect(summary.inputs).toEqual(['left', 'right']);
  expect(summary.outputs).toEqual(['probs', 'sum']);
  expect(transposeChains(bytes)).toEqual([]);

  const rng = new Rng(63);
  const xa = rng.floats(2 * 32, -1, 1);
  const xb = rng.floats(2 * 32, -1, 1);
  const expected = tf.tidy(() => {
    const out = model.predict([tf.tensor(xa, [2, 4, 4, 2]), tf.tensor(xb, [2, 4, 4, 2])]) as tf.Tensor[];
    return out.map((t) => t.dataSync() as Float32Array);
  });
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({
    left: new ort.Tensor('float32', xa, [2, 4, 4, 2]),
    right: new ort.Tensor('float32', xb, [2, 4, 4, 2]),
  });
  await session.release();
  expect(maxAbsDiff(expected[0] as Float32Array, result.probs?.data as Float32Array)).toBeLessThanOrEqual(
    TOLERANCE,
  );
  expect(maxAbsDiff(expected[1] as Float32Array, result.sum?.data as Float32Array)).toBeLessThanOrEqual(
    TOLERANCE,
  );
});
