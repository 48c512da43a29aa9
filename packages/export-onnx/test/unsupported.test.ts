import { defineContract, SEED_CONTRACT } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

function errorOf(model: tf.LayersModel, options = {}): string {
  try {
    convertModel(model, options);
  } catch (error) {
    expect((error as Error).name).toBe('ExportError');
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('convertModel did not fail');
}

const seq = (...layers: tf.layers.Layer[]) => tf.sequential({ layers });

it.each([
  [
    'an unsupported layer class',
    () =>
      seq(
        tf.layers.conv3d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 4, 1], name: 'c' }),
        tf.layers.reshape({ targetShape: [54], name: 'rs' }),
      ),
    "layer 'rs' (Reshape): layer class Reshape is not supported",
  ],
  [
    'channelsFirst Conv2D',
    () =>
      seq(
        tf.layers.conv2d({
          filters: 2,
          kernelSize: 2,
          inputShape: [3, 5, 5],
          dataFormat: 'channelsFirst',
          name: 'cf',
        }),
      ),
    "layer 'cf' (Conv2D): dataFormat 'channelsFirst' is not supported",
  ],
  [
    'an activation without an ONNX mapping',
    () => seq(tf.layers.dense({ units: 2, inputShape: [3], activation: 'gelu', name: 'g' })),
    "layer 'g' (Dense): activation 'gelu' is not supported",
  ],
  [
    'BatchNormalization over a non-channel axis',
    () => seq(tf.layers.batchNormalization({ inputShape: [4, 3], axis: 1, name: 'bn' })),
    "layer 'bn' (BatchNormalization): axis 1 is not supported",
  ],
  [
    'Softmax over a non-last axis',
    () => seq(tf.layers.softmax({ inputShape: [4, 3], axis: 1, name: 'sm' })),
    "layer 'sm' (Softmax): axis 1 (not the last axis) is not supported",
  ],
  [
    "'same' padding without static spatial dims",
    () =>
      seq(
        tf.layers.conv2d({
          filters: 2,
          kernelSize: 3,
          padding: 'same',
          inputShape: [null, 5, 1] as unknown as number[],
          name: 'dyn',
        }),
      ),
    "layer 'dyn' (Conv2D): padding 'same' needs static spatial input dims",
  ],
  [
    'a nested model',
    () => seq(seq(tf.layers.dense({ units: 2, inputShape: [3] })), tf.layers.dense({ units: 2 })),
    '(Sequential): layer class Sequential is not supported',
  ],
  [
    'an int32 input',
    () => {
      const ints = tf.input({ shape: [3], dtype: 'int32', name: 'ints' });
      return tf.model({
        inputs: ints,
        outputs: tf.layers.dense({ units: 2 }).apply(ints) as tf.SymbolicTensor,
      });
    },
    "layer 'ints' (InputLayer): dtype 'int32' is not supported",
  ],
] as const)('%s', (_, build, message) => {
  expect(errorOf(build())).toContain(message);
});

it('Add of differently shaped inputs (broadcasting) is refused', () => {
  const a = tf.input({ shape: [4, 3] });
  const b = tf.input({ shape: [1, 3] });
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
  expect(errorOf(tf.model({ inputs: [a, b], outputs: sum }))).toContain(
    "layer 'sum' (Add): broadcasting of [null,1,3]",
  );
});

it('a contract that does not fit the model is refused', () => {
  const model = seq(tf.layers.dense({ units: 10, inputShape: [5] }));
  expect(errorOf(model, { contract: SEED_CONTRACT })).toBe(
    "contract input shape [16,16,16,3] does not match the model's [5]",
  );
  expect(errorOf(model, { testAccuracy: 1.5 })).toBe('testAccuracy must be a number in [0, 1], got 1.5');
});

it('models that do not fit the seed contract get no contract metadata unless given one', () => {
  const model = seq(tf.layers.dense({ units: 10, inputShape: [5] }));
  expect(convertModel(model).summary.metadata).toEqual({});
  const contract = defineContract({
    ...SEED_CONTRACT,
    grid: [5, 1, 1],
    preprocessing: 'none',
    inputKind: 'raw',
  });
  expect(Object.keys(convertModel(model, { contract }).summary.metadata)).toHaveLength(8);
});
