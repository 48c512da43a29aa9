// Seeded random architectures drawn from the supported layers and options.

import type { Rng } from '@conv3d/core';
import { BatchNormalization } from '@conv3d/train/layers';
import * as tf from '@tensorflow/tfjs';
import { randomizeWeights } from './tfjs.js';

type Padding = 'valid' | 'same';

const CONV_ACTIVATIONS = [
  'relu',
  'linear',
  'elu',
  'selu',
  'tanh',
  'sigmoid',
  'relu6',
  'softplus',
  'swish',
] as const;
const MERGES = ['add', 'concatenate', 'average', 'maximum', 'multiply'] as const;
const HIDDEN_ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'linear', 'hardSigmoid', 'softsign'] as const;

export interface RandomModel {
  model: tf.LayersModel;
  /** One line per layer, for failure messages. */
  description: string;
  inputShape: number[];
}

/** Output size of a window op along one axis, as tfjs computes it. */
function windowOut(size: number, kernel: number, stride: number, dilation: number, padding: Padding): number {
  return padding === 'same'
    ? Math.ceil(size / stride)
    : Math.floor((size - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

export function randomModel(rng: Rng, seed: number): RandomModel {
  const rank = rng.chance(0.75) ? 3 : 2;
  let spatial = Array.from({ length: rank }, () => rng.int(rank === 3 ? 5 : 6, rank === 3 ? 9 : 12));
  const inputShape = [...spatial, rng.int(1, 3)];
  // Half the models are functional, and only those get residual branches merged by Add/Concatenate/….
  const functional = rng.chance(0.5);
  const input = tf.input({ shape: inputShape });
  let current = input;
  let channels = inputShape[rank] as number;
  const layers: tf.layers.Layer[] = [];
  const lines: string[] = [`${functional ? 'Functional' : 'Sequential'} input ${JSON.stringify(inputShape)}`];
  const add = (layer: tf.layers.Layer, line: string) => {
    layers.push(layer);
    current = layer.apply(current) as tf.SymbolicTensor;
    lines.push(line);
  };

  /** current ⊕ Conv(same, stride 1)(current): the branch keeps the shape, so every merge applies. */
  const addResidual = (merge: (typeof MERGES)[number]) => {
    const kernelSize = spatial.map(() => rng.pick([1, 3])) as [number, number, number];
    const args = {
      filters: channels,
      kernelSize,
      padding: 'same' as const,
      activation: rng.pick(CONV_ACTIVATIONS),
    };
    const branch = (rank === 3 ? tf.layers.conv3d(args) : tf.layers.conv2d(args)).apply(
      current,
    ) as tf.SymbolicTensor;
    const layer = tf.layers[merge]({});
    current = layer.apply([current, branch]) as tf.SymbolicTensor;
    if (merge === 'concatenate') channels *= 2;
    lines.push(`${merge}(·, Conv${rank}D ${JSON.stringify(args)})`);
  };

  const blocks = rng.int(1, 3);
  for (let b = 0; b < blocks; b++) {
    const kernel = spatial.map(() => rng.int(1, 3));
    const dilated = rng.chance(0.2);
    const strides = spatial.map(() => (dilated ? 1 : rng.int(1, 2)));
    const dilation = spatial.map(() => (dilated ? 2 : 1));
    let padding: Padding = rng.pick(['valid', 'same'] as const);
    if (
      spatial.some(
        (s, i) => windowOut(s, kernel[i] as number, strides[i] as number, dilation[i] as number, padding) < 1,
      )
    ) {
      padding = 'same';
    }
    const conv: Parameters<typeof tf.layers.conv3d>[0] = {
      filters: rng.int(2, 6),
      kernelSize: kernel as [number, number, number],
      strides,
      dilationRate: dilation as [number, number, number],
      padding,
      activation: rng.pick(CONV_ACTIVATIONS),
      useBias: rng.chance(0.8),
    };
    add(rank === 3 ? tf.layers.conv3d(conv) : tf.layers.conv2d(conv), `Conv${rank}D ${JSON.stringify(conv)}`);
    channels = conv.filters as number;

    spatial = spatial.map((s, i) =>
      windowOut(s, kernel[i] as number, strides[i] as number, dilation[i] as number, padding),
    );

    if (rng.chance(0.4)) {
      const epsilon = rng.pick([1e-3, 1e-2]);
      // tfjs 4.22's own layer stops at rank 4; after 3D convolutions the reference uses the reshaping subclass.
      add(rank === 3 ? new BatchNormalization({ epsilon }) : tf.layers.batchNormalization({ epsilon }), 'BN');
    }
    if (rng.chance(0.2)) {
      const activation = rng.pick(['relu', 'tanh', 'elu'] as const);
      add(tf.layers.activation({ activation }), `Activation ${activation}`);
    }
    if (rng.chance(0.6)) {
      const poolSize = spatial.map((s) => Math.min(s, rng.int(1, 3)));
      const poolStrides = spatial.map(() => rng.int(1, 2));
      let poolPadding: Padding = rng.pick(['valid', 'same'] as const);
      if (
        spatial.some(
          (s, i) => windowOut(s, poolSize[i] as number, poolStrides[i] as number, 1, poolPadding) < 1,
        )
      ) {
        poolPadding = 'same';
      }
      const max = rng.chance(0.5);
      const args = { poolSize, strides: poolStrides, padding: poolPadding } as Parameters<
        typeof tf.layers.maxPooling3d
      >[0] &
        Parameters<typeof tf.layers.maxPooling2d>[0];
      const make =
        rank === 3
          ? max
            ? tf.layers.maxPooling3d
            : tf.layers.averagePooling3d
          : max
            ? tf.layers.maxPooling2d
            : tf.layers.averagePooling2d;
      add(make(args), `${max ? 'Max' : 'Average'}Pooling${rank}D ${JSON.stringify(args)}`);
      spatial = spatial.map((s, i) =>
        windowOut(s, poolSize[i] as number, poolStrides[i] as number, 1, poolPadding),
      );
    }
    if (rng.chance(0.3)) add(tf.layers.dropout({ rate: 0.4 }), 'Dropout');
    if (functional && rng.chance(0.6)) addResidual(rng.pick(MERGES));
  }

  if (rank === 2 && rng.chance(0.4)) {
    const max = rng.chance(0.5);
    add(
      max ? tf.layers.globalMaxPooling2d({}) : tf.layers.globalAveragePooling2d({}),
      max ? 'GMP2D' : 'GAP2D',
    );
  } else {
    add(tf.layers.flatten(), 'Flatten');
  }
  if (rng.chance(0.6)) {
    const units = rng.int(4, 16);
    const activation = rng.pick(HIDDEN_ACTIVATIONS);
    add(tf.layers.dense({ units, activation }), `Dense ${units} ${activation}`);
    if (rng.chance(0.3)) add(tf.layers.batchNormalization({}), 'BN');
    if (rng.chance(0.4)) add(tf.layers.dropout({ rate: 0.5 }), 'Dropout');
  }
  const classes = rng.int(2, 10);
  add(tf.layers.dense({ units: classes, activation: 'softmax' }), `Dense ${classes} softmax`);

  const model = functional
    ? tf.model({ inputs: input, outputs: current, name: `random_${seed}` })
    : tf.sequential({ layers, name: `random_${seed}` });
  randomizeWeights(model, seed);
  return { model, description: lines.join(' → '), inputShape };
}
