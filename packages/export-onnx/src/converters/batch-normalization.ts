import { unsupportedOption } from '../errors.js';
import type { WeightData } from '../layer-config.js';
import { type ConverterFamily, single } from './types.js';

/**
 * Inference-form BatchNormalization; epsilon always written (ONNX default differs). The channel axis runs as an
 * ONNX BatchNormalization on NC… data (axis 1 of tfjs data is already there); any other axis as
 * (x − mean) · gamma / √(variance + epsilon) + beta with broadcast constants.
 */
export const batchNormalizationConverter: ConverterFamily = {
  classNames: ['BatchNormalization'],
  doc: {
    onnx: 'BatchNormalization (channel axis or axis 1), else Sub, Mul, Add',
    options: 'any axis, epsilon, center, scale; moving statistics',
  },
  convert(args) {
    const { graph, layer, config, weights } = args;
    const input = single(args);
    const rank = input.shape.length;
    const raw = config.axis('axis', -1);
    const axis = raw < 0 ? raw + rank : raw;
    if (!Number.isInteger(axis) || axis < 1 || axis >= rank)
      throw unsupportedOption(layer, 'axis', String(raw));
    const epsilon = config.number('epsilon', 1e-3);
    const mean = weights.required('moving_mean');
    const channels = mean.shape[0] as number;
    const constant = (value: number): WeightData => ({
      shape: [channels],
      data: new Float32Array(channels).fill(value),
    });
    const gamma = config.boolean('scale', true) ? weights.required('gamma') : constant(1);
    const beta = config.boolean('center', true) ? weights.required('beta') : constant(0);
    const variance = weights.required('moving_variance');
    if (axis === rank - 1 || axis === 1) {
      const layout = axis === rank - 1 && rank > 2 ? 'channelsFirst' : 'channelsLast';
      const initializer = (suffix: string, w: WeightData) =>
        graph.addFloatInitializer(`${layer.name}/${suffix}`, w.shape, w.data);
      const out = graph.addNode(
        'BatchNormalization',
        [
          graph.in(input, layout),
          initializer('gamma', gamma),
          initializer('beta', beta),
          initializer('moving_mean', mean),
          initializer('moving_variance', variance),
        ],
        { epsilon: { float: epsilon } },
        layer.name,
      );
      return graph.value(args.outputShape, layout, out);
    }
    // Constants shaped [C, 1, …] broadcast against the channels-last tensor from the right.
    const shape = [channels, ...new Array<number>(rank - 1 - axis).fill(1)];
    const scale = Float32Array.from(
      gamma.data,
      (g, c) => g / Math.sqrt((variance.data[c] as number) + epsilon),
    );
    const constantOf = (suffix: string, data: Float32Array) =>
      graph.addFloatInitializer(`${layer.name}/${suffix}`, shape, data);
    const x = graph.in(input, 'channelsLast');
    const centred = graph.addNode(
      'Sub',
      [x, constantOf('moving_mean', mean.data)],
      {},
      `${layer.name}/centre`,
    );
    const scaled = graph.addNode('Mul', [centred, constantOf('scale', scale)], {}, `${layer.name}/scale`);
    const out = graph.addNode('Add', [scaled, constantOf('beta', beta.data)], {}, layer.name);
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
