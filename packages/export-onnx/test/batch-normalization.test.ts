import { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { convertModel, decodeModel } from '../src/index.js';
import { maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { expectParity, TOLERANCE } from './helpers/parity.js';
import { predictCpu, randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

function epsilons(bytes: Uint8Array): number[] {
  return decodeModel(bytes)
    .graph.node.filter((n) => n.op_type === 'BatchNormalization')
    .map((n) => n.attribute.find((a) => a.name === 'epsilon')?.f ?? Number.NaN);
}

// tfjs 4.22's BatchNormalization stops at rank 4 ("not implemented for array of rank 5 yet"), so the
// reference can only be checked on Conv2D feature maps; the converter itself is rank-agnostic.
it('after Conv2D, default epsilon 1e-3 written explicitly (ONNX would assume 1e-5)', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [7, 6, 2] }),
      tf.layers.batchNormalization({}),
      tf.layers.activation({ activation: 'relu' }),
    ],
  });
  randomizeWeights(model, 21);
  const { bytes } = await expectParity(model);
  expect(epsilons(bytes)[0]).toBeCloseTo(1e-3, 9);
});

it('after Conv3D (rank 5, which tfjs cannot run): against the inference formula applied to the conv output', async () => {
  // Conv3D → BN exported as a whole vs. tfjs' Conv3D alone followed by (x − mean)/√(var + ε)·γ + β in float64.
  const conv = tf.layers.conv3d({ filters: 3, kernelSize: 2, inputShape: [5, 4, 6, 2] });
  const bn = tf.layers.batchNormalization({ epsilon: 0.01 });
  const model = tf.sequential({ layers: [conv, bn] });
  randomizeWeights(model, 25);
  const convOnly = tf.sequential({ layers: [conv] });
  const shape = [2, 5, 4, 6, 2];
  const input = new Rng(26).floats(2 * 5 * 4 * 6 * 2, -1, 1);
  const features = predictCpu(convOnly, input, shape);
  const [gamma, beta, mean, variance] = bn.getWeights().map((w) => w.dataSync());
  const expected = features.map((v, i) => {
    const c = i % 3;
    const g = gamma?.[c] as number;
    return (
      ((v - (mean?.[c] as number)) / Math.sqrt((variance?.[c] as number) + 0.01)) * g + (beta?.[c] as number)
    );
  });
  const { bytes } = convertModel(model);
  expect(maxAbsDiff(expected, await runOnnx(bytes, input, shape))).toBeLessThanOrEqual(TOLERANCE);
  expect(epsilons(bytes)[0]).toBeCloseTo(0.01, 9);
});

it('on the raw channels-last input, with a custom epsilon', async () => {
  const model = tf.sequential({
    layers: [tf.layers.batchNormalization({ inputShape: [4, 5, 3], epsilon: 0.25 })],
  });
  randomizeWeights(model, 22);
  const { bytes } = await expectParity(model);
  expect(epsilons(bytes)[0]).toBe(0.25);
});

it('without center and scale', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 3, kernelSize: 2, inputShape: [5, 5, 2] }),
      tf.layers.batchNormalization({ center: false, scale: false }),
    ],
  });
  randomizeWeights(model, 23);
  await expectParity(model);
});

it('on rank-2 features after Dense', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 6, inputShape: [5] }),
      tf.layers.batchNormalization({}),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, 24);
  await expectParity(model);
});
