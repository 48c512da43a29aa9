import { windowInput } from '../padding.js';
import type { Converter } from './types.js';

const POOLS: Record<string, { op: 'MaxPool' | 'AveragePool'; rank: number }> = {
  MaxPooling2D: { op: 'MaxPool', rank: 2 },
  MaxPooling3D: { op: 'MaxPool', rank: 3 },
  AveragePooling2D: { op: 'AveragePool', rank: 2 },
  AveragePooling3D: { op: 'AveragePool', rank: 3 },
};

/** Max/average pooling on channels-first data with explicit pads. */
export const poolingConverter: Converter = {
  classNames: Object.keys(POOLS),
  doc: {
    onnx: 'MaxPool / AveragePool',
    options:
      'poolSize, strides, padding valid/same (average excludes the padding, like tfjs); channelsLast only',
  },
  convert(args) {
    const { graph, layer, config } = args;
    const { op, rank } = POOLS[layer.className] as (typeof POOLS)[string];
    config.oneOf('dataFormat', ['channelsLast'], 'channelsLast');
    const padding = config.oneOf('padding', ['valid', 'same'], 'valid');
    const kernel = config.numbers('poolSize', rank);
    const strides = config.numbers('strides', rank, kernel);
    const ones = Array<number>(rank).fill(1);
    const { input: x, pads } = windowInput(args, padding, kernel, strides, ones);
    // tfjs divides a 'same' window by the count of real elements only: count_include_pad = 0.
    const attrs: Record<string, number> = op === 'AveragePool' ? { count_include_pad: 0 } : {};
    const out = graph.addNode(op, [x], { kernel_shape: kernel, strides, pads, ...attrs }, layer.name);
    return graph.value(args.outputShape, 'channelsFirst', out);
  },
};
