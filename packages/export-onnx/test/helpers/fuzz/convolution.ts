import * as tf from '@tensorflow/tfjs';
import { ALL_ACTIVATIONS, cycler, type FuzzGraph, type Generator, paddingFor } from './graph.js';

const nextActivation = cycler(ALL_ACTIVATIONS);

type ConvArgs = Parameters<typeof tf.layers.conv3d>[0];
const CONV: Record<number, (args: ConvArgs) => tf.layers.Layer> = {
  1: (a) => tf.layers.conv1d(a as Parameters<typeof tf.layers.conv1d>[0]),
  2: (a) => tf.layers.conv2d(a as Parameters<typeof tf.layers.conv2d>[0]),
  3: (a) => tf.layers.conv3d(a),
};

/** Strides 2 or dilation 2 (tfjs takes one or the other), kernels 1–3, every fused activation. */
function window(g: FuzzGraph) {
  const n = g.rank;
  const kernel = Array.from({ length: n }, () => g.rng.int(1, 3)) as [number, number];
  const dilated = g.rng.chance(0.25);
  const strides = kernel.map(() => (dilated ? 1 : g.rng.int(1, 2))) as [number, number];
  const dilations = kernel.map(() => (dilated ? 2 : 1)) as [number, number];
  return { kernel, strides, dilations, padding: paddingFor(g, kernel, strides, dilations) };
}

const convolution: Generator = {
  name: 'ConvND',
  covers: [
    'Conv1D',
    'Conv2D',
    'Conv3D',
    'conv padding same',
    'conv padding valid',
    'conv stride 2',
    'conv dilation 2',
    'conv without bias',
    ...ALL_ACTIVATIONS.map((a) => `fused ${a}`),
  ],
  applies: (g) => g.rank >= 1 && g.rank <= 3,
  draw(g) {
    const { kernel, strides, dilations, padding } = window(g);
    const activation = nextActivation();
    const args = {
      filters: g.rng.int(2, 5),
      kernelSize: kernel,
      strides,
      dilationRate: dilations,
      padding,
      activation,
      useBias: g.rng.chance(0.8),
    } as ConvArgs;
    g.apply(
      (CONV[g.rank] as (a: ConvArgs) => tf.layers.Layer)(args),
      args,
      `Conv${g.rank}D`,
      `conv padding ${padding}`,
      `fused ${activation}`,
    );
    if (strides.includes(2)) g.tag('conv stride 2');
    if (dilations.includes(2)) g.tag('conv dilation 2');
    if (args.useBias === false) g.tag('conv without bias');
  },
};

const depthwise: Generator = {
  name: 'DepthwiseConv2D / SeparableConv2D',
  covers: ['DepthwiseConv2D', 'SeparableConv2D', 'depthMultiplier 2'],
  applies: (g) => g.rank === 2,
  draw(g) {
    const { kernel, strides, dilations, padding } = window(g);
    const depthMultiplier = g.rng.int(1, 2);
    if (depthMultiplier === 2) g.tag('depthMultiplier 2');
    if (g.rng.chance(0.5)) {
      const args = {
        kernelSize: kernel,
        strides,
        padding,
        depthMultiplier,
        activation: g.rng.pick(['relu', 'linear'] as const),
      };
      g.apply(tf.layers.depthwiseConv2d(args), args, 'DepthwiseConv2D');
    } else {
      const args = {
        filters: g.rng.int(2, 4),
        kernelSize: kernel,
        strides,
        dilationRate: dilations,
        padding,
        depthMultiplier,
      };
      g.apply(tf.layers.separableConv2d(args), args, 'SeparableConv2D');
    }
  },
};

const transposed: Generator = {
  name: 'Conv2DTranspose / Conv3DTranspose',
  covers: ['Conv2DTranspose', 'Conv3DTranspose', 'transpose same', 'transpose valid', 'transpose stride 2'],
  applies: (g) => (g.rank === 2 || g.rank === 3) && g.spatial.every((s) => s <= 6),
  draw(g) {
    // tfjs 3D 'same' with a kernel smaller than its stride shifts its windows; the exporter refuses it (tested).
    const kernel = g.spatial.map(() => g.rng.int(2, 3));
    const strides = g.spatial.map(() => g.rng.int(1, 2));
    const padding = g.rng.pick(['valid', 'same'] as const);
    const args = {
      filters: g.rng.int(2, 4),
      kernelSize: kernel,
      strides,
      padding,
      activation: g.rng.pick(['relu', 'tanh'] as const),
    };
    const layer =
      g.rank === 2 ? tf.layers.conv2dTranspose(args) : tf.layers.conv3dTranspose(args as ConvArgs);
    g.apply(layer, args, `Conv${g.rank}DTranspose`, `transpose ${padding}`);
    if (strides.includes(2)) g.tag('transpose stride 2');
  },
};

/**
 * tfjs channelsFirst layers inside a channels-last graph: Permute to NC…, Conv (and pooling) with dataFormat
 * channelsFirst, Permute back.
 */
const channelsFirst: Generator = {
  name: 'channelsFirst island',
  covers: ['Permute', 'channelsFirst Conv2D', 'channelsFirst Conv3D', 'channelsFirst pooling'],
  applies: (g) => g.rank === 2 || g.rank === 3,
  draw(g) {
    const n = g.rank;
    const toFirst = [n + 1, ...Array.from({ length: n }, (_, i) => i + 1)];
    g.apply(tf.layers.permute({ dims: toFirst }), { dims: toFirst }, 'Permute');
    const conv = {
      filters: g.rng.int(2, 4),
      kernelSize: 2,
      padding: g.rng.pick(['valid', 'same'] as const),
      dataFormat: 'channelsFirst' as const,
    };
    g.apply(n === 2 ? tf.layers.conv2d(conv) : tf.layers.conv3d(conv), conv, `channelsFirst Conv${n}D`);
    if (g.rng.chance(0.5)) {
      const pool = {
        poolSize: 2,
        strides: 1,
        padding: 'same' as const,
        dataFormat: 'channelsFirst' as const,
      };
      g.apply(
        n === 2 ? tf.layers.averagePooling2d(pool) : tf.layers.maxPooling3d(pool),
        pool,
        'channelsFirst pooling',
      );
    }
    const toLast = [...Array.from({ length: n }, (_, i) => i + 2), 1];
    g.apply(tf.layers.permute({ dims: toLast }), { dims: toLast });
  },
};

export const CONVOLUTION_GENERATORS: readonly Generator[] = [
  convolution,
  depthwise,
  transposed,
  channelsFirst,
];
