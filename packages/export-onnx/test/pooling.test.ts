import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { expectParity } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

type PoolCase = { poolSize: number[]; strides?: number[]; padding: 'valid' | 'same' };

const CASES_3D: PoolCase[] = [
  { poolSize: [2, 2, 2], padding: 'valid' },
  { poolSize: [2, 2, 2], padding: 'same' },
  { poolSize: [3, 3, 3], strides: [2, 2, 2], padding: 'same' },
  { poolSize: [3, 2, 1], strides: [1, 2, 3], padding: 'valid' },
  { poolSize: [2, 3, 3], strides: [3, 1, 2], padding: 'same' },
  // Window smaller than the stride: tfjs 3D computes a negative 'same' padding (windows shift; see padding.ts).
  { poolSize: [2, 1, 1], strides: [1, 2, 2], padding: 'same' },
  { poolSize: [1, 2, 1], strides: [2, 3, 4], padding: 'same' },
];

const CASES_2D: PoolCase[] = [
  { poolSize: [2, 2], padding: 'valid' },
  { poolSize: [3, 3], strides: [2, 2], padding: 'same' },
  { poolSize: [2, 3], strides: [1, 2], padding: 'same' },
  // Here tfjs clamps the padding at 0, as TensorFlow does.
  { poolSize: [1, 1], strides: [2, 3], padding: 'same' },
];

// Inputs straight from the graph input (negative values included) make 'same' max padding visible:
// padded cells must never win. Average 'same' windows at the border must divide by real cells only.
describe.each([
  ['MaxPooling3D', tf.layers.maxPooling3d, [7, 6, 5, 3], CASES_3D],
  ['AveragePooling3D', tf.layers.averagePooling3d, [7, 6, 5, 3], CASES_3D],
  ['MaxPooling2D', tf.layers.maxPooling2d, [9, 7, 2], CASES_2D],
  ['AveragePooling2D', tf.layers.averagePooling2d, [9, 7, 2], CASES_2D],
] as const)('%s', (_, make, inputShape, cases) => {
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, c) => {
    const pool = (make as (args: object) => tf.layers.Layer)({ ...c, inputShape: [...inputShape] });
    const model = tf.sequential({ layers: [pool] });
    await expectParity(model);
  });
});

it('pooling after a convolution needs no extra Transpose', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv3d({ filters: 3, kernelSize: 3, inputShape: [8, 8, 8, 2], activation: 'relu' }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.averagePooling3d({ poolSize: 2, padding: 'same' }),
    ],
  });
  randomizeWeights(model, 5);
  await expectParity(model);
});
