import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { expectParity } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

it.each([
  ['Dropout', () => tf.layers.dropout({ rate: 0.5 })],
  ['GaussianNoise', () => tf.layers.gaussianNoise({ stddev: 0.3 })],
  ['GaussianDropout', () => tf.layers.gaussianDropout({ rate: 0.3 })],
  ['AlphaDropout', () => tf.layers.alphaDropout({ rate: 0.3 })],
] as const)('%s is the identity at inference and adds no node', async (_, make) => {
  const build = (withNoise: boolean) =>
    tf.sequential({
      layers: [
        tf.layers.dense({ units: 6, inputShape: [4], activation: 'relu' }),
        ...(withNoise ? [make()] : []),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
  const model = build(true);
  randomizeWeights(model, 41);
  await expectParity(model);
  const plain = build(false);
  expect(convertModel(model).summary.nodes).toBe(convertModel(plain).summary.nodes);
});

it('a model that is only Dropout maps its input to its output through Identity', async () => {
  const model = tf.sequential({ layers: [tf.layers.dropout({ rate: 0.5, inputShape: [3] })] });
  const { bytes } = await expectParity(model);
  expect(convertModel(model).summary.opTypes).toEqual({ Identity: 1 });
  expect(bytes.length).toBeGreaterThan(0);
});
