// Whether an exported model serves any sequence length: for the free-sizes option (symbolic input dims).
import type * as tf from '@tensorflow/tfjs';

/** Layers that carry a time axis through. */
const RECURRENT = new Set(['SimpleRNN', 'GRU', 'LSTM', 'RNN', 'Bidirectional', 'ConvLSTM2D']);

/** Layers whose conversion never reads the length of axis 1 (per-step, last-axis or elementwise work). */
const LENGTH_FREE = new Set([
  ...RECURRENT,
  'InputLayer',
  'TimeDistributed',
  'Embedding',
  'Masking',
  'Dense',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'ThresholdedReLU',
  'Softmax',
  'Rescaling',
  'BatchNormalization',
  'LayerNormalization',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'Add',
  'Multiply',
  'Average',
  'Maximum',
  'Minimum',
  'Concatenate',
  'GlobalAveragePooling1D',
  'GlobalMaxPooling1D',
]);

/**
 * True when `model` is a sequence model (it has a recurrent layer) and no layer's conversion depends on the
 * length of axis 1 (time) of its inputs, so one exported file serves every sequence length: axis 1 of each input
 * may then be written symbolic even when the tfjs model fixed it. False for anything else (Flatten, Reshape, …
 * bake the length in).
 */
export function timeAxisIsFree(model: tf.LayersModel): boolean {
  const classes = model.layers.map((layer) => layer.getClassName());
  return classes.some((c) => RECURRENT.has(c)) && classes.every((c) => LENGTH_FREE.has(c));
}
