import { unsupportedOption } from '../errors.js';
import { type ConverterFamily, single } from './types.js';

/** LayerNormalization over trailing axes (tfjs's default, the last) → ONNX LayerNormalization (opset 17). */
export const layerNormalizationConverter: ConverterFamily = {
  classNames: ['LayerNormalization'],
  doc: {
    onnx: 'LayerNormalization',
    options: 'axis: the last axis or a run of trailing axes, epsilon, center, scale',
  },
  convert(args) {
    const { graph, layer, config, weights } = args;
    const input = single(args);
    const rank = input.shape.length;
    const given = config.get('axis') ?? -1;
    const list = (Array.isArray(given) ? given : [given]).map((a) =>
      typeof a === 'number' && a < 0 ? a + rank : a,
    );
    const sorted = [...list].sort((a, b) => a - b);
    const first = sorted[0];
    if (
      typeof first !== 'number' ||
      first < 1 ||
      !sorted.every((a, i) => a === first + i) ||
      sorted[sorted.length - 1] !== rank - 1
    ) {
      throw unsupportedOption(
        layer,
        'axis',
        `${JSON.stringify(given)} (only trailing axes map onto ONNX LayerNormalization)`,
      );
    }
    if (first < rank - 1)
      graph.requireFixedSize(layer, 'normalizes over spatial axes (its gamma and beta have their sizes)');
    const normalized = input.shape.slice(first).map((d) => d as number);
    const count = normalized.reduce((a, b) => a * b, 1);
    const filled = (name: string, on: boolean, value: number) => {
      const w = on
        ? weights.required(name)
        : { shape: normalized, data: new Float32Array(count).fill(value) };
      return graph.addFloatInitializer(`${layer.name}/${name}`, normalized, w.data);
    };
    const out = graph.addNode(
      'LayerNormalization',
      [
        graph.in(input, 'channelsLast'),
        filled('gamma', config.boolean('scale', true), 1),
        filled('beta', config.boolean('center', true), 0),
      ],
      { axis: first, epsilon: { float: config.number('epsilon', 1e-3) } },
      layer.name,
    );
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
