import * as tf from '@tensorflow/tfjs';
import { ALL_ACTIVATIONS, cycler, type Generator } from './graph.js';

const nextActivation = cycler(ALL_ACTIVATIONS);

const activationLayer: Generator = {
  name: 'Activation',
  covers: ALL_ACTIVATIONS.map((a) => `Activation ${a}`),
  applies: () => true,
  draw(g) {
    const activation = nextActivation();
    // tfjs's ActivationIdentifier type lacks some of the names it registers (logSoftmax).
    g.apply(
      tf.layers.activation({ activation: activation as 'relu' }),
      { activation },
      `Activation ${activation}`,
    );
  },
};

const LAYERS: [string, (g: Parameters<Generator['draw']>[0]) => [tf.layers.Layer, object]][] = [
  ['ReLU', () => [tf.layers.reLU({}), {}]],
  ['ReLU maxValue', (g) => [tf.layers.reLU({ maxValue: g.rng.pick([0.5, 6]) }), { maxValue: true }]],
  ['LeakyReLU', (g) => [tf.layers.leakyReLU({ alpha: g.rng.pick([0.05, 0.3]) }), {}]],
  ['ELU', () => [tf.layers.elu({}), {}]],
  ['ThresholdedReLU', (g) => [tf.layers.thresholdedReLU({ theta: g.rng.pick([0.1, 0.5]) }), {}]],
  // tfjs predicts Softmax along the last axis only.
  ['Softmax', () => [tf.layers.softmax({ axis: -1 }), { axis: -1 }]],
];

const activationLayers: Generator = {
  name: 'activation layers',
  covers: LAYERS.map(([tag]) => tag),
  applies: () => true,
  draw(g) {
    const [tag, make] = g.rng.pick(LAYERS);
    const [layer, options] = make(g);
    g.apply(layer, options, tag);
  },
};

export const ACTIVATION_GENERATORS: readonly Generator[] = [activationLayer, activationLayers];
