import * as tf from '@tensorflow/tfjs';
import type { Generator } from './graph.js';

/** Permutes the spatial axes (channels stay last, so any later layer applies). */
const permute: Generator = {
  name: 'Permute spatial axes',
  covers: ['Permute spatial'],
  applies: (g) => g.rank >= 2,
  draw(g) {
    const axes = Array.from({ length: g.rank }, (_, i) => i + 1);
    const dims = [...axes.slice(1), axes[0] as number, g.rank + 1];
    g.apply(tf.layers.permute({ dims }), { dims }, 'Permute spatial');
  },
};

/**
 * Reshape: the spatial axes into one (a sequence), or a sequence into two axes. Explicit sizes: tfjs leaves a -1
 * dim unknown (null) in the symbolic shape, which later layers refuse (-1 is covered in shape-layers.test).
 */
const reshape: Generator = {
  name: 'Reshape',
  covers: ['Reshape to a sequence', 'Reshape to 2D'],
  applies: (g) => g.rank >= 2 || (g.rank === 1 && (g.spatial[0] as number) % 2 === 0),
  draw(g) {
    if (g.rank >= 2) {
      const targetShape = [g.spatial.reduce((a, b) => a * b, 1), g.channels];
      g.apply(tf.layers.reshape({ targetShape }), { targetShape }, 'Reshape to a sequence');
    } else {
      const targetShape = [2, (g.spatial[0] as number) / 2, g.channels];
      g.apply(tf.layers.reshape({ targetShape }), { targetShape }, 'Reshape to 2D');
    }
  },
};

/** Features → a sequence: Dense then RepeatVector. */
const repeatVector: Generator = {
  name: 'RepeatVector',
  covers: ['RepeatVector'],
  applies: (g) => g.rank === 0,
  draw(g) {
    const n = g.rng.int(2, 5);
    g.apply(tf.layers.repeatVector({ n }), { n }, 'RepeatVector');
  },
};

/** Feature maps or sequences → features. */
const flatten: Generator = {
  name: 'Flatten',
  covers: ['Flatten'],
  applies: (g) => g.rank >= 1 && g.shape.reduce((a, b) => a * b, 1) <= 400,
  draw(g) {
    g.apply(tf.layers.flatten(), {}, 'Flatten');
  },
};

/** Dense on features (Gemm) or on every position of a feature map (MatMul). */
const dense: Generator = {
  name: 'Dense',
  covers: ['Dense', 'Dense on a feature map', 'Dense without bias'],
  applies: () => true,
  draw(g) {
    const args = {
      units: g.rng.int(3, 8),
      activation: g.rng.pick(['relu', 'tanh', 'linear', 'gelu'] as const),
      useBias: g.rng.chance(0.8),
    };
    g.apply(tf.layers.dense(args), args, 'Dense');
    if (g.rank >= 1) g.tag('Dense on a feature map');
    if (!args.useBias) g.tag('Dense without bias');
  },
};

export const RESHAPING_GENERATORS: readonly Generator[] = [permute, reshape, repeatVector, flatten, dense];
