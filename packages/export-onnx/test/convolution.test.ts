import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkWithOnnxChecker, opCount } from './helpers/onnx.js';
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

const seq = (...layers: tf.layers.Layer[]) => tf.sequential({ layers });

describe('Conv1D, DepthwiseConv2D, SeparableConv2D, transposed and channels-first convolutions', () => {
  const cases: [string, () => tf.Sequential][] = [
    ['Conv1D valid', () => seq(tf.layers.conv1d({ filters: 3, kernelSize: 3, inputShape: [9, 2] }))],
    [
      'Conv1D same stride 2 dilation-free',
      () =>
        seq(tf.layers.conv1d({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', inputShape: [9, 2] })),
    ],
    [
      'Conv1D same dilation 2',
      () =>
        seq(
          tf.layers.conv1d({
            filters: 2,
            kernelSize: 3,
            padding: 'same',
            dilationRate: 2,
            activation: 'tanh',
            inputShape: [10, 3],
          }),
        ),
    ],
    [
      'DepthwiseConv2D same, multiplier 2, stride 2',
      () =>
        seq(
          tf.layers.depthwiseConv2d({
            kernelSize: 3,
            depthMultiplier: 2,
            strides: 2,
            padding: 'same',
            inputShape: [9, 8, 3],
          }),
        ),
    ],
    [
      'DepthwiseConv2D valid, dilationRate 2 (ignored by tfjs), no bias',
      () =>
        seq(
          tf.layers.depthwiseConv2d({
            kernelSize: [2, 3],
            dilationRate: 2,
            useBias: false,
            inputShape: [9, 8, 2],
          }),
        ),
    ],
    [
      'SeparableConv2D same, multiplier 2, relu',
      () =>
        seq(
          tf.layers.separableConv2d({
            filters: 4,
            kernelSize: 3,
            depthMultiplier: 2,
            padding: 'same',
            activation: 'relu',
            inputShape: [7, 8, 3],
          }),
        ),
    ],
    [
      'SeparableConv2D valid, stride 2',
      () => seq(tf.layers.separableConv2d({ filters: 3, kernelSize: 2, strides: 2, inputShape: [9, 7, 2] })),
    ],
    ...(
      [
        [3, 2, 'same'],
        [3, 2, 'valid'],
        [2, 2, 'same'],
        [1, 2, 'same'],
        [1, 3, 'valid'],
        [4, 2, 'same'],
      ] as const
    ).map(([k, s, padding]): [string, () => tf.Sequential] => [
      `Conv2DTranspose kernel ${k} stride ${s} ${padding}`,
      () =>
        seq(
          tf.layers.conv2dTranspose({
            filters: 3,
            kernelSize: k,
            strides: s,
            padding,
            inputShape: [5, 4, 2],
          }),
        ),
    ]),
    ...(
      [
        [3, 2, 'same'],
        [2, 2, 'valid'],
        [3, 1, 'same'],
        [1, 2, 'valid'],
      ] as const
    ).map(([k, s, padding]): [string, () => tf.Sequential] => [
      `Conv3DTranspose kernel ${k} stride ${s} ${padding}`,
      () =>
        seq(
          tf.layers.conv3dTranspose({
            filters: 2,
            kernelSize: k,
            strides: s,
            padding,
            activation: 'relu',
            inputShape: [3, 4, 2, 2],
          }),
        ),
    ]),
    [
      'Conv2D channelsFirst same stride 2',
      () =>
        seq(
          tf.layers.conv2d({
            filters: 3,
            kernelSize: 3,
            strides: 2,
            padding: 'same',
            dataFormat: 'channelsFirst',
            inputShape: [2, 7, 6],
          }),
        ),
    ],
    [
      'Conv3D channelsFirst → MaxPooling3D channelsFirst → Flatten channelsFirst',
      () =>
        seq(
          tf.layers.conv3d({
            filters: 3,
            kernelSize: 2,
            dataFormat: 'channelsFirst',
            inputShape: [2, 5, 4, 5],
          }),
          tf.layers.maxPooling3d({ poolSize: 2, dataFormat: 'channelsFirst' }),
          tf.layers.flatten({ dataFormat: 'channelsFirst' }),
        ),
    ],
    [
      'Conv2DTranspose channelsFirst',
      () =>
        seq(
          tf.layers.conv2dTranspose({
            filters: 2,
            kernelSize: 3,
            strides: 2,
            padding: 'same',
            dataFormat: 'channelsFirst',
            inputShape: [3, 4, 5],
          }),
        ),
    ],
  ];
  const files: [string, Uint8Array][] = [];
  it.each(cases)('%s', async (name, make) => {
    const model = make();
    randomizeWeights(model, 4);
    files.push([name, (await expectParity(model)).bytes]);
  });
  it('each of those files passes onnx.checker.check_model(full_check=True)', async () => {
    const verdicts = await checkWithOnnxChecker(files.map(([, bytes]) => bytes));
    expect(verdicts.map((v, i) => `${files[i]?.[0]}: ${v}`)).toEqual(files.map(([name]) => `${name}: ok`));
  });
});
