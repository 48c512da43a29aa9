// Free sizes: a fully convolutional model's ONNX input has symbolic spatial dims, so one file serves any size.
import { Rng, SEED_CONTRACT } from '@conv3d/core';
import {
  BatchNormalization,
  Cropping3D,
  GlobalAveragePooling3D,
  UpSampling3D,
  ZeroPadding3D,
} from '@conv3d/train/layers';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { withInputShape } from '../src/input-shape.js';
import { describeWithOnnx, maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { TOLERANCE } from './helpers/parity.js';
import { predictCpu, randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

/** Runs the one file at `shape` and compares it with tfjs predict of the model rebuilt for that shape. */
async function expectParityAt(model: tf.LayersModel, bytes: Uint8Array, shape: number[]) {
  const resized = await withInputShape(model, shape);
  const full = [2, ...shape];
  const input = new Rng(shape.reduce((a, b) => a * 31 + b, 7)).floats(
    full.reduce((a, b) => a * b, 1),
    -1,
    1,
  );
  const expected = predictCpu(resized, input, full);
  expect(maxAbsDiff(expected, await runOnnx(bytes, input, full)), JSON.stringify(shape)).toBeLessThanOrEqual(
    TOLERANCE,
  );
  resized.dispose();
}

function unet3d(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 8, 2], name: 'volume' });
  const down = tf.layers
    .conv3d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })
    .apply(input) as tf.SymbolicTensor;
  const normed = new BatchNormalization({}).apply(down) as tf.SymbolicTensor;
  const pooled = tf.layers.maxPooling3d({ poolSize: 2, padding: 'same' }).apply(normed) as tf.SymbolicTensor;
  const up1 = new UpSampling3D({ size: 2 }).apply(pooled) as tf.SymbolicTensor;
  const padded = new ZeroPadding3D({ padding: 1 }).apply(up1) as tf.SymbolicTensor;
  const cropped = new Cropping3D({ cropping: 1 }).apply(padded) as tf.SymbolicTensor;
  const up2 = tf.layers
    .conv3dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' })
    .apply(cropped) as tf.SymbolicTensor;
  const skip = tf.layers.concatenate({}).apply([input, up2]) as tf.SymbolicTensor;
  const head = tf.layers.conv3d({ filters: 3, kernelSize: 1 }).apply(skip) as tf.SymbolicTensor;
  const out = tf.layers.softmax({ axis: -1 }).apply(head) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'unet3d' });
  randomizeWeights(model, 71);
  return model;
}

describe('one file, several sizes', () => {
  it('a 3D U-Net (strided same conv, BN, pooling, UpSampling3D, padding, cropping, Conv3DTranspose, skip)', async () => {
    const model = unet3d();
    const { bytes, summary } = convertModel(model);
    expect(summary.freeSize).toBe(true);
    expect(summary.inputShapes).toEqual([['N', 'D', 'H', 'W', 2]]);
    const described = await describeWithOnnx(bytes);
    expect(described.inputs).toEqual([['volume', ['N', 'D', 'H', 'W', 2]]]);
    for (const shape of [
      [8, 8, 8, 2],
      [4, 12, 8, 2],
      [12, 4, 16, 2],
    ])
      await expectParityAt(model, bytes, shape);
  });

  it('odd sizes through strided same convolutions and pooling (2D)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', inputShape: [9, 7, 2] }),
        tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
        tf.layers.depthwiseConv2d({ kernelSize: 2, strides: 2, padding: 'same' }),
        tf.layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }),
        tf.layers.globalMaxPooling2d({}),
      ],
    });
    randomizeWeights(model, 72);
    const { bytes, summary } = convertModel(model);
    expect(summary.inputShapes).toEqual([['N', 'H', 'W', 2]]);
    for (const shape of [
      [9, 7, 2],
      [13, 5, 2],
      [6, 11, 2],
    ])
      await expectParityAt(model, bytes, shape);
  });

  it('a sequence model gets a symbolic time axis T (the mechanism recurrent layers use too)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', inputShape: [10, 3] }),
        tf.layers.globalAveragePooling1d({}),
      ],
    });
    randomizeWeights(model, 73);
    const { bytes, summary } = convertModel(model);
    expect(summary.inputShapes).toEqual([['N', 'T', 3]]);
    for (const shape of [
      [10, 3],
      [17, 3],
    ])
      await expectParityAt(model, bytes, shape);
  });
});

describe('when the size stays fixed', () => {
  it('fixedSize keeps the saved shape', () => {
    const { summary } = convertModel(unet3d(), { fixedSize: true });
    expect(summary.freeSize).toBe(false);
    expect(summary.inputShapes).toEqual([['N', 8, 8, 8, 2]]);
  });

  it('a layer that needs the saved size (Flatten → Dense) keeps it and says which', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [6, 6, 1] }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ units: 3 }),
      ],
    });
    const { summary } = convertModel(model);
    expect(summary.freeSize).toBe(false);
    expect(summary.inputShapes).toEqual([['N', 6, 6, 1]]);
    expect(summary.fixedSizeReason).toBe(
      "layer 'flat' (Flatten) flattens its spatial dims (the next layer sees their product)",
    );
  });

  it('withInputShape (--input-shape) rebuilds the model for another saved size with the same weights', async () => {
    const model = unet3d();
    const resized = await withInputShape(model, [4, 8, 12, 2]);
    const { summary } = convertModel(resized, { fixedSize: true });
    expect(summary.inputShapes).toEqual([['N', 4, 8, 12, 2]]);
    // This U-Net's skip needs multiples of 4: tfjs's own check, as one line.
    await expect(withInputShape(model, [4, 6, 10, 2])).rejects.toThrow(
      "--input-shape 4,6,10,2 does not fit model 'unet3d': A `Concatenate` layer requires inputs with matching shapes",
    );
    await expect(withInputShape(model, [4, 6, 2])).rejects.toThrow(
      "--input-shape 4,6,2 has 3 dims, model 'unet3d' takes 4 ([8,8,8,2])",
    );
  });
});

it('a model with a contract keeps the contract’s input shape (core checks the graph against it)', () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv3d({ filters: 2, kernelSize: 3, padding: 'same', inputShape: [16, 16, 16, 3] }),
      new GlobalAveragePooling3D({}),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const withContract = convertModel(model, { contract: SEED_CONTRACT }).summary;
  expect(withContract.inputShapes).toEqual([['N', 16, 16, 16, 3]]);
  expect(withContract.fixedSizeReason).toBe('the model contract states the input shape [16, 16, 16, 3]');
  expect(convertModel(model).summary.inputShapes).toEqual([['N', 'D', 'H', 'W', 3]]);
});
