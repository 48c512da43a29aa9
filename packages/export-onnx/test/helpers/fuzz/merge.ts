import * as tf from '@tensorflow/tfjs';
import type { FuzzGraph, Generator } from './graph.js';

const MERGES = ['add', 'multiply', 'average', 'maximum', 'minimum', 'concatenate'] as const;

/** A same-shape branch of the current tensor: a stride-1 'same' convolution, or a Dense on features. */
export function branch(g: FuzzGraph): tf.SymbolicTensor {
  const filters = g.channels;
  const layer =
    g.rank === 0
      ? tf.layers.dense({ units: filters, activation: 'tanh' })
      : g.rank === 1
        ? tf.layers.conv1d({ filters, kernelSize: 3, padding: 'same' })
        : g.rank === 2
          ? tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same' })
          : tf.layers.conv3d({ filters, kernelSize: [1, 3, 1], padding: 'same' });
  return layer.apply(g.current) as tf.SymbolicTensor;
}

/** current ⊕ branch(current), with every merge layer. */
const residual: Generator = {
  name: 'residual merge',
  covers: ['Add', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'three-way merge'],
  applies: (g) => g.functional,
  draw(g) {
    const merge = g.rng.pick(MERGES);
    const inputs = [g.current, branch(g)];
    if (g.rng.chance(0.3)) {
      inputs.push(branch(g));
      g.tag('three-way merge');
    }
    const layer = tf.layers[merge]({});
    g.current = layer.apply(inputs) as tf.SymbolicTensor;
    g.lines.push(`${layer.getClassName()}(current, ${inputs.length - 1} branch(es))`);
    g.tag(layer.getClassName());
  },
};

export const MERGE_GENERATORS: readonly Generator[] = [residual];
