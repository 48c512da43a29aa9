import * as tf from '@tensorflow/tfjs';
import type { Generator } from './graph.js';

/** A Sequential or functional block used as one layer of the model (models inside models). */
const nested: Generator = {
  name: 'nested model',
  covers: ['nested Sequential', 'nested functional'],
  applies: (g) => g.rank <= 2,
  draw(g) {
    const shape = g.shape;
    const layer = () =>
      g.rank === 0
        ? tf.layers.dense({ units: g.channels, activation: 'relu' })
        : g.rank === 1
          ? tf.layers.conv1d({ filters: 3, kernelSize: 2, padding: 'same', activation: 'relu' })
          : tf.layers.conv2d({ filters: 3, kernelSize: 2, padding: 'same', activation: 'relu' });
    if (!g.functional || g.rng.chance(0.5)) {
      const block = tf.sequential({
        layers: [
          tf.layers.inputLayer({ inputShape: shape }),
          layer(),
          tf.layers.activation({ activation: 'tanh' }),
        ],
      });
      g.apply(block, { layers: 2 }, 'nested Sequential');
      return;
    }
    const input = tf.input({ shape });
    const a = layer().apply(input) as tf.SymbolicTensor;
    const b = tf.layers.activation({ activation: 'sigmoid' }).apply(a) as tf.SymbolicTensor;
    g.apply(tf.model({ inputs: input, outputs: b }), { layers: 2 }, 'nested functional');
  },
};

export const NESTED_GENERATORS: readonly Generator[] = [nested];
