import { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWidthConverter } from '../src/converters/image-preprocessing.js';
import { GraphBuilder } from '../src/graph.js';
import { convertModel } from '../src/index.js';
import { LayerConfig } from '../src/layer-config.js';
import { checkWithOnnxChecker, maxAbsDiff, opCount, runOnnx } from './helpers/onnx.js';
import { expectParity, TOLERANCE } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

const value = new GraphBuilder().value([null, 4, 5, 1], 'channelsLast', 'x');

const checked: Uint8Array[] = [];
afterAll(async () => {
  expect(await checkWithOnnxChecker(checked)).toEqual(checked.map(() => 'ok'));
});

async function parity(model: tf.LayersModel, opts: Parameters<typeof expectParity>[1] = {}) {
  randomizeWeights(model, 81);
  const result = await expectParity(model, opts);
  checked.push(result.bytes);
  return result;
}

/** Token ids as floats (what a tfjs model input carries), fractional parts included: both truncate. */
const ids = (n: number, tokens: number, seed: number) =>
  Float32Array.from(new Rng(seed).floats(n, 0, tokens - 0.01), (v) => v);

describe('Embedding', () => {
  it('token ids [N, T] → LSTM, symbolic T', async () => {
    const input = tf.input({ shape: [null] as unknown as number[] });
    const embedded = tf.layers.embedding({ inputDim: 7, outputDim: 4 }).apply(input);
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.lstm({ units: 3 }).apply(embedded) as tf.SymbolicTensor,
    });
    await parity(model, { shape: [3, 6], input: ids(18, 7, 1) });
  });
  it('rank-3 ids, then Flatten', async () => {
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 5, outputDim: 2, inputShape: [2, 3] }), tf.layers.flatten()],
    });
    await parity(model, { input: ids(18, 5, 2) });
  });
});

describe('CategoryEncoding', () => {
  // tfjs 4.22's computeOutputShape overwrites the input's last dim with numTokens, so only k = numTokens builds.
  it.each(['count', 'multiHot'] as const)('%s', async (outputMode) => {
    const model = tf.sequential({
      layers: [tf.layers.categoryEncoding({ numTokens: 5, outputMode, inputShape: [5] })],
    });
    const input = Float32Array.from([0, 1, 1, 4, 4, 2, 2, 2, 2, 2, 3, 0, 3, 1, 4]);
    const { tfjs } = await parity(model, { input });
    expect(Array.from(tfjs.slice(0, 5))).toEqual(outputMode === 'count' ? [1, 2, 0, 0, 2] : [1, 1, 0, 0, 1]);
  });
});

describe('Rescaling, Resizing, CenterCrop', () => {
  it('Rescaling after a Conv2D (channels-first) and on the input', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.rescaling({ scale: 1 / 255, offset: -0.5, inputShape: [5, 4, 2] }),
        tf.layers.conv2d({ filters: 2, kernelSize: 2 }),
        tf.layers.rescaling({ scale: 3 }),
      ],
    });
    await parity(model);
  });
  it.each([
    ['bilinear', false, [7, 3]],
    ['bilinear', true, [7, 3]],
    ['nearest', false, [3, 9]],
    ['nearest', true, [3, 9]],
    ['bilinear', false, [1, 1]],
    ['nearest', false, [1, 4]],
  ] as const)(
    'Resizing %s, cropToAspectRatio %s, to %j',
    async (interpolation, cropToAspectRatio, [height, width]) => {
      // tfjs 4.22's Resizing breaks inside a model: Sequential rejects its output shape (no batch dim) and predict
      // hands its call() a list. The reference is the same layer applied eagerly to the tensor (stock cpu).
      const input = tf.input({ shape: [5, 6, 2] });
      const layer = tf.layers.resizing({ height, width, interpolation, cropToAspectRatio });
      const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
      const x = new Rng(82).floats(3 * 5 * 6 * 2, -1, 1);
      const expected = tf.tidy(() => (layer.apply(tf.tensor(x, [3, 5, 6, 2])) as tf.Tensor).dataSync());
      const { bytes } = convertModel(model);
      checked.push(bytes);
      const actual = await runOnnx(bytes, x, [3, 5, 6, 2]);
      expect(maxAbsDiff(expected as Float32Array, actual)).toBeLessThanOrEqual(TOLERANCE);
      expect(opCount(bytes, 'Resize')).toBe(0);
    },
  );
  it.each([
    [3, 4],
    [5, 5],
    [2, 6],
    [1, 1],
    [7, 3],
    [8, 9],
  ])('CenterCrop %i×%i of 5×6', async (height, width) => {
    // Stock tfjs 4.22 overwrites the input's recorded shape with the crop size (see the refusal below); a copy
    // keeps the real one so the model says what it computes. The reference is tfjs's own layer, applied eagerly.
    const layer = tf.layers.centerCrop({ height, width });
    const computeOutputShape = layer.computeOutputShape.bind(layer);
    layer.computeOutputShape = (shape) => computeOutputShape(structuredClone(shape));
    const input = tf.input({ shape: [5, 6, 2] });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    const x = new Rng(83).floats(3 * 5 * 6 * 2, -1, 1);
    const expected = tf.tidy(() => (layer.apply(tf.tensor(x, [3, 5, 6, 2])) as tf.Tensor).dataSync());
    const { bytes } = convertModel(model);
    checked.push(bytes);
    expect(maxAbsDiff(expected as Float32Array, await runOnnx(bytes, x, [3, 5, 6, 2]))).toBeLessThanOrEqual(
      TOLERANCE,
    );
  });
});

describe('PReLU and SpatialDropout1D', () => {
  it.each([
    ['no shared axes', undefined],
    ['shared spatial axes', [1, 2]],
  ] as const)('PReLU %s after a Conv2D (channels-first)', async (_, sharedAxes) => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 3, kernelSize: 2, inputShape: [4, 5, 2] }),
        tf.layers.prelu(sharedAxes === undefined ? {} : { sharedAxes: [...sharedAxes] }),
      ],
    });
    const { bytes } = await parity(model);
    expect(opCount(bytes, 'Transpose')).toBe(2);
  });
  it('PReLU on [N, T, F], SpatialDropout1D', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.spatialDropout1d({ rate: 0.5, inputShape: [4, 3] }),
        tf.layers.prelu({ sharedAxes: 1 }),
      ],
    });
    await parity(model);
  });
});

describe('Dot', () => {
  /** Two Dense branches of one input (the parity helper feeds one), then Dot. */
  function dotModel(inputShape: number[], units: [number, number], dot: tf.layers.Layer) {
    const x = tf.input({ shape: inputShape });
    const branches = units.map((u) => tf.layers.dense({ units: u }).apply(x)) as tf.SymbolicTensor[];
    return tf.model({ inputs: x, outputs: dot.apply(branches) as tf.SymbolicTensor });
  }
  it.each([
    [[4], [3, 3], 1, false],
    [[4], [3, 3], -1, true],
    [[3, 4], [4, 5], 1, false],
    [[3, 4], [4, 4], [2, 2], true],
    [[3, 4], [4, 3], [1, 2], false],
    [[3, 4], [3, 4], [2, 1], true],
  ] as const)('input %j, units %j, axes %j, normalize %s', async (inputShape, units, axes, normalize) => {
    await parity(
      dotModel(
        [...inputShape],
        [...units] as [number, number],
        tf.layers.dot({ axes: axes as number, normalize }),
      ),
    );
  });
});

it('RandomWidth converts to the identity (Keras inference; tfjs 4.22 cannot build it into a model)', () => {
  expect(
    randomWidthConverter.convert({
      graph: new GraphBuilder(),
      layer: { name: 'rw', className: 'RandomWidth' },
      config: new LayerConfig({ name: 'rw', className: 'RandomWidth' }, { factor: 0.2 }),
      weights: undefined as never,
      inputs: [value],
      inputShapes: [value.shape],
      outputShape: value.shape,
    }),
  ).toBe(value);
});

describe('refused with one line', () => {
  const errorOf = (model: tf.LayersModel) => {
    try {
      convertModel(model);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('convertModel did not fail');
  };
  it('Embedding maskZero on rank-3 ids', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 3, outputDim: 2, maskZero: true, inputShape: [4, 2], name: 'e' }),
      ],
    });
    expect(errorOf(model)).toBe(
      "layer 'e' (Embedding): maskZero on rank-3 ids (masks are converted for [N, T]) is not supported",
    );
  });
  it('CenterCrop built by stock tfjs (its input shape overwritten with the crop size)', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 1, kernelSize: 1, inputShape: [6, 7, 1] }),
        tf.layers.centerCrop({ height: 3, width: 4, name: 'c' }),
      ],
    });
    expect(errorOf(model)).toBe(
      "layer 'c' (CenterCrop): input size 3×4 equal to the crop (tfjs 4.22 overwrites the input's recorded shape with the crop size, so the real input size is unknown) is not supported",
    );
  });
  it('Resizing of free spatial sizes', () => {
    const input = tf.input({ shape: [null, 4, 1] as unknown as number[] });
    const resized = tf.layers.resizing({ height: 2, width: 2, name: 'r' }).apply(input);
    const model = tf.model({ inputs: input, outputs: resized as tf.SymbolicTensor });
    expect(errorOf(model)).toBe(
      "layer 'r' (Resizing): input shape [null,null,4,1] (needs [N, H, W, C] with H, W fixed) is not supported",
    );
  });
});
