import { GlobalAveragePooling3D } from '@conv3d/train/layers';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { opCount } from './helpers/onnx.js';
import { expectParity } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';
import { GlobalMaxPooling3D } from './helpers/user-layers.js';

beforeAll(useCpuBackend);

it.each([
  ['GlobalAveragePooling2D', tf.layers.globalAveragePooling2d],
  ['GlobalMaxPooling2D', tf.layers.globalMaxPooling2d],
] as const)('%s after Conv2D reduces channels-first data without a Transpose back', async (_, make) => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [7, 6, 2], activation: 'relu' }),
      make({}),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, 11);
  const { bytes } = await expectParity(model);
  expect(opCount(bytes, 'Transpose')).toBe(1);
});

it('GlobalAveragePooling2D straight on the channels-last input needs no Transpose at all', async () => {
  const model = tf.sequential({ layers: [tf.layers.globalAveragePooling2d({ inputShape: [5, 4, 3] })] });
  const { bytes } = await expectParity(model);
  expect(opCount(bytes, 'Transpose')).toBe(0);
});

it.each([
  ['GlobalAveragePooling3D', () => new GlobalAveragePooling3D({}), 'ReduceMean'],
  ['GlobalMaxPooling3D', () => new GlobalMaxPooling3D({}), 'ReduceMax'],
] as const)('%s (custom-registered, Keras semantics) after Conv3D', async (_, make, op) => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv3d({ filters: 4, kernelSize: 2, inputShape: [5, 6, 4, 2], activation: 'relu' }),
      make(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, 12);
  const { bytes } = await expectParity(model);
  expect(opCount(bytes, op)).toBe(1);
  expect(opCount(bytes, 'Transpose')).toBe(1);
});
