import { type ConverterFamily, single } from './types.js';

/** Regularisers that are the identity at inference: no node at all. */
export const dropoutConverter: ConverterFamily = {
  classNames: ['Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'SpatialDropout1D'],
  doc: { onnx: '(none: identity at inference)', options: 'all' },
  convert: single,
};
