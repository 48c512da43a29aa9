import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_ACTIVATIONS } from '../src/activations.js';
import { convertModel } from '../src/index.js';
import { checkWithOnnxChecker, maxAbsDiff, opCount, runOnnx } from './helpers/onnx.js';
import { expectParity, TOLERANCE } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

// A scale of 3 pushes inputs into the saturating ranges of sigmoid/tanh/elu/hardSigmoid/relu6.
const input = (n: number) => Float32Array.from({ length: n }, (_, i) => 3 * Math.sin(i * 1.7));

describe('Activation layer', () => {
  const files: [string, Uint8Array][] = [];
  it.each(SUPPORTED_ACTIVATIONS)('%s on channels-first conv output (rank 5)', async (activation) => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv3d({ filters: 3, kernelSize: 2, inputShape: [4, 3, 3, 2] }),
        tf.layers.activation({ activation: activation as 'relu' }),
      ],
    });
    randomizeWeights(model, 51);
    const { bytes } = await expectParity(model, { input: input(3 * 4 * 3 * 3 * 2) });
    // Activations run in the conv's channels-first layout: still only the two boundary Transposes.
    expect(opCount(bytes, 'Transpose')).toBe(2);
    files.push([activation, bytes]);
  });

  it('each of those files passes onnx.checker.check_model(full_check=True)', async () => {
    expect(files).toHaveLength(SUPPORTED_ACTIVATIONS.length);
    const verdicts = await checkWithOnnxChecker(files.map(([, bytes]) => bytes));
    expect(verdicts.map((v, i) => `${files[i]?.[0]}: ${v}`)).toEqual(files.map(([name]) => `${name}: ok`));
  });

  it.each(SUPPORTED_ACTIVATIONS)('%s on rank-2 features', async (activation) => {
    const model = tf.sequential({
      layers: [tf.layers.activation({ activation: activation as 'relu', inputShape: [6] })],
    });
    await expectParity(model, { input: input(3 * 6) });
  });
});

describe('activation layers with options', () => {
  const cases: [string, () => tf.layers.Layer][] = [
    ['ReLU', () => tf.layers.reLU({})],
    ['ReLU maxValue 0.7', () => tf.layers.reLU({ maxValue: 0.7 })],
    ['LeakyReLU', () => tf.layers.leakyReLU({})],
    ['LeakyReLU alpha 0.05', () => tf.layers.leakyReLU({ alpha: 0.05 })],
    ['ELU', () => tf.layers.elu({})],
    ['ThresholdedReLU theta 0.5', () => tf.layers.thresholdedReLU({ theta: 0.5 })],
    ['Softmax axis -1', () => tf.layers.softmax({ axis: -1 })],
    ['Softmax axis 4', () => tf.layers.softmax({ axis: 4 })],
  ];
  it.each(cases)('%s on channels-first conv output', async (_, make) => {
    const model = tf.sequential({
      layers: [tf.layers.conv3d({ filters: 3, kernelSize: 2, inputShape: [4, 3, 5, 2] }), make()],
    });
    randomizeWeights(model, 52);
    await expectParity(model, { input: input(3 * 4 * 3 * 5 * 2) });
  });
  it.each(cases)('%s on the channels-last input', async (_, make) => {
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [3, 4, 2, 3] }), make()] });
    const { bytes } = await expectParity(model, { input: input(3 * 3 * 4 * 2 * 3) });
    expect(opCount(bytes, 'Transpose')).toBe(0);
  });
  it('Softmax with its default axis (1) on rank-2 features', async () => {
    const model = tf.sequential({ layers: [tf.layers.softmax({ inputShape: [7] })] });
    await expectParity(model, { input: input(3 * 7) });
  });
});

describe('Softmax layer on any axis (Keras semantics; tfjs 4.22 predicts along the last axis only)', () => {
  it.each([1, 2, -2, 3])(
    'axis %i of a rank-4 input matches exp(x) / Σ exp(x) along that axis',
    async (axis) => {
      const model = tf.sequential({ layers: [tf.layers.softmax({ axis, inputShape: [3, 4, 5] })] });
      const x = input(2 * 3 * 4 * 5);
      const reference = tf.tidy(() => {
        const t = tf.tensor(x, [2, 3, 4, 5]);
        const e = tf.exp(tf.sub(t, tf.max(t, axis, true)));
        return tf.div(e, tf.sum(e, axis, true)).dataSync() as Float32Array;
      });
      const onnx = await runOnnx(convertModel(model).bytes, x, [2, 3, 4, 5]);
      expect(maxAbsDiff(reference, onnx)).toBeLessThanOrEqual(TOLERANCE);
    },
  );
});
