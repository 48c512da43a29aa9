import { unsupportedOption } from '../errors.js';
import { range } from '../layout.js';
import { type ConverterFamily, single } from './types.js';

const GLOBAL_POOLS: Record<string, 'ReduceMean' | 'ReduceMax'> = {
  GlobalAveragePooling1D: 'ReduceMean',
  GlobalMaxPooling1D: 'ReduceMax',
  GlobalAveragePooling2D: 'ReduceMean',
  GlobalMaxPooling2D: 'ReduceMax',
  GlobalAveragePooling3D: 'ReduceMean',
  GlobalMaxPooling3D: 'ReduceMax',
};

/**
 * Global pooling as a reduction over the spatial axes of whichever layout the input has (no Transpose).
 * tfjs 4.22 ships only the 1D/2D classes; the 3D names follow Keras semantics for custom-registered layers.
 */
export const globalPoolingConverter: ConverterFamily = {
  classNames: Object.keys(GLOBAL_POOLS),
  doc: { onnx: '', options: '' },
  classDocs: Object.fromEntries(
    Object.entries(GLOBAL_POOLS).map(([name, op]) => [
      name,
      {
        onnx: op,
        options: `${name.endsWith('1D') ? '' : 'dataFormat, '}keepDims false${name.endsWith('3D') ? '; Keras semantics (a custom-registered class)' : ''}`,
      },
    ]),
  ),
  convert(args) {
    const { graph, layer, config } = args;
    const dataFormat = config.oneOf('dataFormat', ['channelsLast', 'channelsFirst'], 'channelsLast');
    if (config.boolean('keepDims', false) || config.boolean('keepdims', false)) {
      throw unsupportedOption(layer, 'keepDims', 'true');
    }
    const input = single(args);
    // tfjs channelsFirst data is NC… as tfjs holds it (tagged channelsLast), so its spatial axes start at 2.
    const { name, layout } =
      dataFormat === 'channelsFirst'
        ? { name: graph.in(input, 'channelsLast'), layout: 'channelsFirst' }
        : graph.native(input);
    const rank = input.shape.length;
    const axes = layout === 'channelsFirst' ? range(2, rank) : range(1, rank - 1);
    const out = graph.addNode(
      GLOBAL_POOLS[layer.className] as string,
      [name],
      { axes, keepdims: 0 },
      layer.name,
    );
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
