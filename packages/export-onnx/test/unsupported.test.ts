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

/** A user's custom layer with no converter registered. */
class Unconvertible extends tf.layers.Layer {
  static readonly className = 'Unconvertible';
}

it.each([
  [
    'an unsupported layer class',
    () => seq(tf.layers.dense({ units: 2, inputShape: [3] }), new Unconvertible({ name: 'mine' })),
    "layer 'mine' (Unconvertible): layer class Unconvertible is not supported",
  ],
  [
    "a 'same' Conv3DTranspose whose kernel is smaller than its stride",
    () =>
      seq(
        tf.layers.conv3dTranspose({
          filters: 2,
          kernelSize: 1,
          strides: 2,
          padding: 'same',
          inputShape: [3, 3, 3, 1],
          name: 'up',
        }),
      ),
    "layer 'up' (Conv3DTranspose): kernelSize 1 smaller than its stride 2 with padding 'same' (3D) is not supported",
  ],
  [
    'LayerNormalization over a non-trailing axis',
    () => seq(tf.layers.layerNormalization({ axis: 1, inputShape: [4, 3], name: 'ln' })),
    "layer 'ln' (LayerNormalization): axis [1] (only trailing axes map onto ONNX LayerNormalization) is not supported",
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

it("'same' padding with strides and unknown saved sizes needs free sizes", () => {
  const model = seq(
    tf.layers.conv2d({
      filters: 2,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      inputShape: [null, 5, 1] as unknown as number[],
      name: 'dyn',
    }),
  );
  expect(errorOf(model, { fixedSize: true })).toContain(
    "layer 'dyn' (Conv2D): padding 'same' with strides needs static spatial input dims",
  );
  expect(convertModel(model).summary.freeSize).toBe(true);
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
