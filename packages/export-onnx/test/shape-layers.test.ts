import { Rng } from '@conv3d/core';
import { Cropping3D, UpSampling3D, ZeroPadding3D } from '@conv3d/train/layers';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { checkWithOnnxChecker, maxAbsDiff, opCount, runOnnx } from './helpers/onnx.js';
import { expectParity, TOLERANCE } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

const seq = (...layers: tf.layers.Layer[]) => tf.sequential({ layers });
const conv3d = () => tf.layers.conv3d({ filters: 3, kernelSize: 2, inputShape: [5, 4, 6, 2] });
const conv2d = () => tf.layers.conv2d({ filters: 3, kernelSize: 2, inputShape: [7, 6, 2] });

const CASES: [string, () => tf.Sequential][] = [
  ['UpSampling2D nearest [2, 3]', () => seq(conv2d(), tf.layers.upSampling2d({ size: [2, 3] }))],
  [
    'UpSampling2D bilinear [3, 2]',
    () => seq(conv2d(), tf.layers.upSampling2d({ size: [3, 2], interpolation: 'bilinear' })),
  ],
  [
    'UpSampling2D channelsFirst',
    () => seq(tf.layers.upSampling2d({ size: [2, 2], dataFormat: 'channelsFirst', inputShape: [3, 4, 5] })),
  ],
  [
    'ZeroPadding2D pairs',
    () =>
      seq(
        conv2d(),
        tf.layers.zeroPadding2d({
          padding: [
            [1, 2],
            [0, 3],
          ],
        }),
      ),
  ],
  ['ZeroPadding2D on the input', () => seq(tf.layers.zeroPadding2d({ padding: 2, inputShape: [4, 5, 2] }))],
  [
    'Cropping2D pairs',
    () =>
      seq(
        conv2d(),
        tf.layers.cropping2D({
          cropping: [
            [1, 0],
            [2, 1],
          ],
        }),
      ),
  ],
  [
    'Cropping2D channelsFirst',
    () =>
      seq(
        tf.layers.cropping2D({
          cropping: [
            [1, 1],
            [0, 2],
          ],
          dataFormat: 'channelsFirst',
          inputShape: [2, 6, 5],
        }),
      ),
  ],
  ['UpSampling3D [2, 1, 3]', () => seq(conv3d(), new UpSampling3D({ size: [2, 1, 3] }))],
  [
    'ZeroPadding3D pairs',
    () =>
      seq(
        conv3d(),
        new ZeroPadding3D({
          padding: [
            [1, 0],
            [0, 2],
            [1, 1],
          ],
        }),
      ),
  ],
  ['Cropping3D triple', () => seq(conv3d(), new Cropping3D({ cropping: [1, 0, 2] }))],
  [
    'ZeroPadding3D / UpSampling3D / Cropping3D channelsFirst',
    () =>
      seq(
        new ZeroPadding3D({ padding: 1, dataFormat: 'channelsFirst', inputShape: [2, 3, 4, 3] }),
        new UpSampling3D({ size: 2, dataFormat: 'channelsFirst' }),
        new Cropping3D({
          cropping: [
            [1, 0],
            [0, 1],
            [2, 2],
          ],
          dataFormat: 'channelsFirst',
        }),
      ),
  ],
  ['Reshape with -1', () => seq(conv2d(), tf.layers.reshape({ targetShape: [-1, 6] }))],
  ['Permute', () => seq(conv3d(), tf.layers.permute({ dims: [4, 2, 1, 3] }))],
  [
    'RepeatVector',
    () => seq(tf.layers.dense({ units: 4, inputShape: [3] }), tf.layers.repeatVector({ n: 3 })),
  ],
  [
    'MaxPooling1D same stride 2',
    () => seq(tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same', inputShape: [9, 3] })),
  ],
  ['AveragePooling1D valid', () => seq(tf.layers.averagePooling1d({ poolSize: 2, inputShape: [9, 3] }))],
  ['GlobalAveragePooling1D', () => seq(tf.layers.globalAveragePooling1d({ inputShape: [9, 3] }))],
  ['GlobalMaxPooling1D', () => seq(tf.layers.globalMaxPooling1d({ inputShape: [9, 3] }))],
  [
    'GlobalAveragePooling2D channelsFirst',
    () => seq(tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst', inputShape: [3, 4, 5] })),
  ],
  [
    'AveragePooling2D channelsFirst same',
    () =>
      seq(
        tf.layers.averagePooling2d({
          poolSize: 3,
          strides: 2,
          padding: 'same',
          dataFormat: 'channelsFirst',
          inputShape: [2, 7, 6],
        }),
      ),
  ],
  ['LayerNormalization last axis after Conv2D', () => seq(conv2d(), tf.layers.layerNormalization({}))],
  [
    'LayerNormalization axes [2, 3] of rank 4, no center',
    () => seq(tf.layers.layerNormalization({ axis: [2, 3], center: false, inputShape: [3, 4, 5] })),
  ],
  [
    'LayerNormalization on rank 2',
    () => seq(tf.layers.layerNormalization({ epsilon: 1e-5, inputShape: [6] })),
  ],
];

describe('shape, padding, upsampling and normalization layers match tfjs cpu within 1e-5', () => {
  const files: [string, Uint8Array][] = [];
  it.each(CASES)('%s', async (name, make) => {
    const model = make();
    randomizeWeights(model, 21);
    files.push([name, (await expectParity(model)).bytes]);
  });
  it('each of those files passes onnx.checker.check_model(full_check=True)', async () => {
    const verdicts = await checkWithOnnxChecker(files.map(([, bytes]) => bytes));
    expect(verdicts.map((v, i) => `${files[i]?.[0]}: ${v}`)).toEqual(files.map(([name]) => `${name}: ok`));
  });
});

it('UpSampling2D nearest is one Resize on the conv output, no extra Transpose', async () => {
  const model = seq(conv2d(), tf.layers.upSampling2d({ size: [2, 2] }));
  randomizeWeights(model, 22);
  const { bytes } = await expectParity(model);
  expect(opCount(bytes, 'Resize')).toBe(1);
  expect(opCount(bytes, 'Transpose')).toBe(2);
});

// tfjs 4.22 gets BatchNormalization over a non-last axis wrong (its parameters cycle along the last axis instead of
// broadcasting over the named one), so the reference here is Keras's formula in float64.
describe('BatchNormalization on a non-channel axis matches (x − mean) / √(var + ε) · γ + β in float64', () => {
  const BN_CASES: [string, number[], number, number][] = [
    ['axis 1 of rank 4', [4, 3, 2], 1, 1e-3],
    ['axis 2 of rank 4', [3, 5, 2], 2, 1e-2],
    ['axis 1 of rank 3', [4, 3], 1, 1e-3],
    ['axis 2 of rank 5', [2, 3, 2, 2], 2, 1e-3],
  ];
  it.each(BN_CASES)('%s', async (_, shape, axis, epsilon) => {
    const layer = tf.layers.batchNormalization({ axis, epsilon, inputShape: shape });
    const model = seq(layer);
    randomizeWeights(model, 23);
    const [gamma, beta, mean, variance] = layer.getWeights().map((w) => w.dataSync() as Float32Array);
    const input = new Rng(24).floats(3 * shape.reduce((a, b) => a * b, 1), -2, 2);
    const inner = shape.slice(axis).reduce((a, b) => a * b, 1);
    const size = shape[axis - 1] as number;
    const expected = Float32Array.from(input, (x, i) => {
      const c = Math.floor(i / inner) % size;
      const normalized = (x - (mean?.[c] as number)) / Math.sqrt((variance?.[c] as number) + epsilon);
      return normalized * (gamma?.[c] as number) + (beta?.[c] as number);
    });
    const { bytes } = convertModel(model);
    const actual = await runOnnx(bytes, input, [3, ...shape]);
    expect(maxAbsDiff(expected, actual)).toBeLessThanOrEqual(TOLERANCE);
  });
});

it.each([
  [2, 1],
  [1, 1],
  [2, 2],
])(
  'ZeroPadding2D(%i) → MaxPooling2D(%i) after a Conv on negative values: the padded zeros win, as in tfjs',
  async (pool, pad) => {
    // onnxruntime would fuse the Pad into the MaxPool (where padding means −∞) without the exporter's guard.
    const model = seq(
      tf.layers.conv2d({
        filters: 2,
        kernelSize: 1,
        inputShape: [4, 5, 1],
        biasInitializer: tf.initializers.constant({ value: -3 }),
      }),
      tf.layers.zeroPadding2d({ padding: pad }),
      tf.layers.maxPooling2d({ poolSize: pool, strides: 1 }),
    );
    const { bytes } = await expectParity(model, { input: new Float32Array(3 * 4 * 5).fill(0.5) });
    expect(opCount(bytes, 'Max')).toBe(1);
  },
);
