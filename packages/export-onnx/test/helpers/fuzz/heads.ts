import { GlobalAveragePooling3D } from '@conv3d/train/layers';
import * as tf from '@tensorflow/tfjs';
import { GlobalMaxPooling3D } from '../user-layers.js';
import type { Generator } from './graph.js';

const GLOBAL: Record<number, Record<'Average' | 'Max', () => tf.layers.Layer>> = {
  1: { Average: () => tf.layers.globalAveragePooling1d({}), Max: () => tf.layers.globalMaxPooling1d({}) },
  2: { Average: () => tf.layers.globalAveragePooling2d({}), Max: () => tf.layers.globalMaxPooling2d({}) },
  3: { Average: () => new GlobalAveragePooling3D({}), Max: () => new GlobalMaxPooling3D({}) },
};

/** Class probabilities: global pooling (or flattened features) → Dense softmax. */
const classifier: Generator = {
  name: 'classifier head',
  covers: [1, 2, 3].flatMap((n) => [`GlobalAveragePooling${n}D`, `GlobalMaxPooling${n}D`]),
  applies: () => true,
  draw(g) {
    if (g.rank >= 1) {
      const kind = g.rng.pick(['Average', 'Max'] as const);
      const layer = (GLOBAL[g.rank] as Record<'Average' | 'Max', () => tf.layers.Layer>)[kind]();
      g.apply(layer, {}, `Global${kind}Pooling${g.rank}D`);
    }
    const units = g.rng.int(2, 6);
    g.apply(tf.layers.dense({ units, activation: 'softmax' }), { units, activation: 'softmax' });
  },
};

/** Per-position outputs (segmentation-like): a 1×… convolution and a Softmax over the channels. */
const perPosition: Generator = {
  name: 'per-position head',
  covers: ['per-position output'],
  applies: (g) => g.rank >= 1,
  draw(g) {
    const args = { filters: g.rng.int(2, 4), kernelSize: 1 };
    const conv =
      g.rank === 1 ? tf.layers.conv1d(args) : g.rank === 2 ? tf.layers.conv2d(args) : tf.layers.conv3d(args);
    g.apply(conv, args, 'per-position output');
    g.apply(tf.layers.softmax({ axis: -1 }), { axis: -1 });
  },
};

export const HEADS: readonly Generator[] = [classifier, perPosition];
