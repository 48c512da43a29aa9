import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { opCount } from './helpers/onnx.js';
import { expectParity } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

type ConvCase = Pick<
  Parameters<typeof tf.layers.conv3d>[0],
  'padding' | 'kernelSize' | 'strides' | 'dilationRate' | 'useBias' | 'activation'
>;

// Odd, unequal input sizes make 'same' padding asymmetric (more at the end), which is where exporters slip.
const CASES_3D: ConvCase[] = [
  { padding: 'valid', kernelSize: [3, 3, 3] },
  { padding: 'same', kernelSize: [3, 3, 3] },
  { padding: 'same', kernelSize: [2, 2, 2] },
  { padding: 'same', kernelSize: [1, 2, 3], strides: [2, 2, 2] },
  { padding: 'valid', kernelSize: [3, 2, 1], strides: [2, 1, 3], useBias: false },
  { padding: 'same', kernelSize: [3, 3, 3], strides: [2, 3, 2], activation: 'relu' },
  { padding: 'valid', kernelSize: [2, 3, 2], dilationRate: [2, 1, 2], activation: 'tanh' },
  { padding: 'same', kernelSize: [3, 3, 3], dilationRate: [2, 2, 2], activation: 'elu' },
  // Kernel smaller than the stride: tfjs 3D computes a negative 'same' padding (windows shift; see padding.ts).
  { padding: 'same', kernelSize: [1, 1, 2], strides: [2, 3, 3] },
];

const CASES_2D: ConvCase[] = [
  { padding: 'valid', kernelSize: [3, 3] },
  { padding: 'same', kernelSize: [2, 3], strides: [2, 2], activation: 'relu' },
  { padding: 'same', kernelSize: [3, 3], dilationRate: [2, 2], useBias: false, activation: 'sigmoid' },
  { padding: 'same', kernelSize: [1, 1], strides: [2, 3] },
];

describe('Conv3D → Conv', () => {
  it.each(CASES_3D.map((c) => [JSON.stringify(c), c] as const))('%s', async (_, c) => {
    const model = tf.sequential({
      layers: [tf.layers.conv3d({ filters: 4, inputShape: [7, 6, 5, 3], ...c })],
    });
    randomizeWeights(model, 1);
    const { bytes } = await expectParity(model);
    expect(opCount(bytes, 'Conv')).toBe(1);
    // One Transpose in after the input, one back to channels-last before the output.
    expect(opCount(bytes, 'Transpose')).toBe(2);
  });
});

describe('Conv2D → Conv', () => {
  it.each(CASES_2D.map((c) => [JSON.stringify(c), c] as const))('%s', async (_, c) => {
    const model = tf.sequential({ layers: [tf.layers.conv2d({ filters: 5, inputShape: [9, 8, 2], ...c })] });
    randomizeWeights(model, 2);
    await expectParity(model);
  });
});

it('stacked convolutions stay channels-first in between (two Transposes in all)', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv3d({ filters: 3, kernelSize: 2, inputShape: [6, 6, 6, 2], activation: 'relu' }),
      tf.layers.conv3d({ filters: 4, kernelSize: 2, padding: 'same' }),
      tf.layers.conv3d({ filters: 2, kernelSize: 3, activation: 'relu' }),
    ],
  });
  randomizeWeights(model, 3);
  const { bytes } = await expectParity(model);
  expect(opCount(bytes, 'Transpose')).toBe(2);
});
