import { unsupportedOption } from '../errors.js';
import type { ConverterFamily } from './types.js';

/** The graph input: the tfjs input as is (channels-last, float32, dynamic batch). */
export const inputConverter: ConverterFamily = {
  classNames: ['InputLayer'],
  doc: { onnx: 'graph input', options: 'float32, channels-last, dynamic batch `N`' },
  convert({ graph, layer, config, outputShape }) {
    const dtype = config.string('dtype', 'float32');
    if (dtype !== 'float32') throw unsupportedOption(layer, 'dtype', `'${dtype}'`);
    if (config.boolean('sparse', false)) throw unsupportedOption(layer, 'sparse', 'true');
    return graph.value(outputShape, 'channelsLast', graph.uniqueName(layer.name));
  },
};
