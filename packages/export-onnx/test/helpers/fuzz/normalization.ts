import { BatchNormalization } from '@conv3d/train/layers';
import * as tf from '@tensorflow/tfjs';
import type { Generator } from './graph.js';

// Only the channel axis: tfjs 4.22 computes BatchNormalization over any other axis wrongly (see shape-layers.test).
const batchNormalization: Generator = {
  name: 'BatchNormalization',
  covers: ['BatchNormalization', 'BatchNormalization rank 5', 'BatchNormalization no scale or center'],
  applies: () => true,
  draw(g) {
    const args = { epsilon: g.rng.pick([1e-3, 1e-2]), scale: g.rng.chance(0.8), center: g.rng.chance(0.8) };
    // tfjs 4.22's own layer stops at rank 4; on 3D feature maps the reference is the reshaping subclass.
    g.apply(
      g.rank === 3 ? new BatchNormalization(args) : tf.layers.batchNormalization(args),
      args,
      'BatchNormalization',
    );
    if (g.rank === 3) g.tag('BatchNormalization rank 5');
    if (!args.scale || !args.center) g.tag('BatchNormalization no scale or center');
  },
};

// tfjs's LayerNormalization runs on rank ≤ 4 only (it calls batchNorm).
const layerNormalization: Generator = {
  name: 'LayerNormalization',
  covers: ['LayerNormalization', 'LayerNormalization trailing axes'],
  applies: (g) => g.rank <= 2,
  draw(g) {
    const trailing = g.rank === 2 && g.rng.chance(0.4);
    const args = { axis: trailing ? [2, 3] : -1, epsilon: g.rng.pick([1e-3, 1e-5]) };
    g.apply(tf.layers.layerNormalization(args), args, 'LayerNormalization');
    if (trailing) g.tag('LayerNormalization trailing axes');
  },
};

export const NORMALIZATION_GENERATORS: readonly Generator[] = [batchNormalization, layerNormalization];
