import { type DataFormat, type PaddingMode, windowInput } from '../padding.js';
import type { ConverterFamily } from './types.js';

const POOLS: Record<string, { op: 'MaxPool' | 'AveragePool'; rank: number }> = {
  MaxPooling1D: { op: 'MaxPool', rank: 1 },
  MaxPooling2D: { op: 'MaxPool', rank: 2 },
  MaxPooling3D: { op: 'MaxPool', rank: 3 },
  AveragePooling1D: { op: 'AveragePool', rank: 1 },
  AveragePooling2D: { op: 'AveragePool', rank: 2 },
  AveragePooling3D: { op: 'AveragePool', rank: 3 },
};

/** Max/average pooling on NC… data with explicit pads. */
export const poolingConverter: ConverterFamily = {
  classNames: Object.keys(POOLS),
  doc: { onnx: '', options: '' },
  classDocs: Object.fromEntries(
    Object.entries(POOLS).map(([name, { op, rank }]) => [
      name,
      {
        onnx: op === 'AveragePool' ? 'AveragePool (count_include_pad 0, as tfjs)' : op,
        options: `poolSize, strides, padding valid/same${rank === 1 ? '' : ', dataFormat'}`,
      },
    ]),
  ),
  convert(args) {
    const { graph, layer, config } = args;
    const { op, rank } = POOLS[layer.className] as (typeof POOLS)[string];
    const dataFormat = config.oneOf<DataFormat>(
      'dataFormat',
      ['channelsLast', 'channelsFirst'],
      'channelsLast',
    );
    const padding = config.oneOf<PaddingMode>('padding', ['valid', 'same'], 'valid');
    const kernel = config.numbers('poolSize', rank);
    const strides = config.numbers('strides', rank, kernel);
    const ones = Array<number>(rank).fill(1);
    const { input, attrs, layout } = windowInput(args, padding, kernel, strides, ones, dataFormat);
    // tfjs divides a 'same' window by the count of real elements only: count_include_pad = 0.
    const extra: Record<string, number> = op === 'AveragePool' ? { count_include_pad: 0 } : {};
    const out = graph.addNode(op, [input], { kernel_shape: kernel, strides, ...attrs, ...extra }, layer.name);
    return graph.value(args.outputShape, layout, out);
  },
};
