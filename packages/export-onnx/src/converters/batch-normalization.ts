import { unsupportedOption } from '../errors.js';
import type { WeightData } from '../layer-config.js';
import { type Converter, single } from './types.js';

/** Inference-form BatchNormalization on channels-first data; epsilon always written (ONNX default differs). */
export const batchNormalizationConverter: Converter = {
  classNames: ['BatchNormalization'],
  doc: {
    onnx: 'BatchNormalization',
    options: 'channel axis (-1) only, epsilon, center, scale; moving statistics',
  },
  convert(args) {
    const { graph, layer, config, weights } = args;
    const input = single(args);
    const rank = input.shape.length;
    const axis = config.number('axis', -1);
    if (axis !== -1 && axis !== rank - 1) throw unsupportedOption(layer, 'axis', String(axis));
    const mean = weights.required('moving_mean');
    const channels = mean.shape[0] as number;
    const constant = (value: number): WeightData => ({
      shape: [channels],
      data: new Float32Array(channels).fill(value),
    });
    const gamma = config.boolean('scale', true) ? weights.required('gamma') : constant(1);
    const beta = config.boolean('center', true) ? weights.required('beta') : constant(0);
    const variance = weights.required('moving_variance');
    const initializer = (suffix: string, w: WeightData) =>
      graph.addFloatInitializer(`${layer.name}/${suffix}`, w.shape, w.data);
    const out = graph.addNode(
      'BatchNormalization',
      [
        graph.in(input, 'channelsFirst'),
        initializer('gamma', gamma),
        initializer('beta', beta),
        initializer('moving_mean', mean),
        initializer('moving_variance', variance),
      ],
      { epsilon: { float: config.number('epsilon', 1e-3) } },
      layer.name,
    );
    return graph.value(args.outputShape, 'channelsFirst', out);
  },
};
