import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { opCount } from './helpers/onnx.js';
import { expectParity } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

describe('Flatten', () => {
  it('after Conv3D returns to channels-last first (tfjs flattens channels fastest)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv3d({ filters: 5, kernelSize: 2, inputShape: [4, 3, 5, 2] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4 }),
      ],
    });
    randomizeWeights(model, 31);
    const { bytes } = await expectParity(model);
    expect(opCount(bytes, 'Transpose')).toBe(2);
  });

  it('straight on the channels-last input needs no Transpose', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [3, 4, 2, 2] })] });
    const { bytes } = await expectParity(model);
    expect(opCount(bytes, 'Transpose')).toBe(0);
  });
});

describe('Dense', () => {
  it.each(['linear', 'relu', 'softmax', 'sigmoid', 'tanh'] as const)(
    'Gemm with bias, activation %s',
    async (activation) => {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 7, inputShape: [9], activation })] });
      randomizeWeights(model, 32);
      await expectParity(model, { batch: 5 });
    },
  );

  it('without bias', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [6], useBias: false })] });
    randomizeWeights(model, 33);
    const { bytes } = await expectParity(model);
    expect(opCount(bytes, 'Gemm')).toBe(1);
  });

  it('on a rank-5 tensor acts on the channel axis (MatMul + Add, channels-last)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv3d({ filters: 3, kernelSize: 2, inputShape: [4, 4, 4, 2] }),
        tf.layers.dense({ units: 5, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    randomizeWeights(model, 34);
    const { bytes } = await expectParity(model);
    expect(opCount(bytes, 'MatMul')).toBe(1);
    expect(opCount(bytes, 'Transpose')).toBe(2);
  });
});
