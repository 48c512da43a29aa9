import * as tf from '@tensorflow/tfjs';
import type { Generator } from './graph.js';

const MAKE: Record<string, () => tf.layers.Layer> = {
  Dropout: () => tf.layers.dropout({ rate: 0.4 }),
  GaussianNoise: () => tf.layers.gaussianNoise({ stddev: 0.3 }),
  GaussianDropout: () => tf.layers.gaussianDropout({ rate: 0.3 }),
  AlphaDropout: () => tf.layers.alphaDropout({ rate: 0.3 }),
};

/** Identity at inference: predict must ignore them, and so must the ONNX graph. */
const regularization: Generator = {
  name: 'dropout and noise',
  covers: Object.keys(MAKE),
  applies: () => true,
  draw(g) {
    const name = g.rng.pick(Object.keys(MAKE));
    g.apply((MAKE[name] as () => tf.layers.Layer)(), {}, name);
  },
};

export const REGULARIZATION_GENERATORS: readonly Generator[] = [regularization];
