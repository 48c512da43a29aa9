import { transposeData } from '../tensor-data.js';
import { type ConverterFamily, single } from './types.js';

/**
 * PReLU → PRelu with the alpha weight ([...] = the input's shape without the batch, 1 on shared axes) as the
 * slope, which broadcasts like tfjs's. A channels-first input gets the slope permuted instead of a Transpose.
 */
export const preluConverter: ConverterFamily = {
  classNames: ['PReLU'],
  doc: { onnx: 'PRelu', options: 'sharedAxes; any rank, either layout' },
  convert(args) {
    const { graph, layer, weights } = args;
    const { name, layout } = graph.native(single(args));
    const alpha = weights.required('alpha');
    const rank = alpha.shape.length;
    if (alpha.shape.slice(0, -1).some((d) => d !== 1)) {
      graph.requireFixedSize(layer, 'has a slope per position (alpha is not shared over the spatial axes)');
    }
    const channelsFirst = layout === 'channelsFirst' && rank > 1;
    const perm = [rank - 1, ...Array.from({ length: rank - 1 }, (_, i) => i)];
    const slope = channelsFirst
      ? graph.addFloatInitializer(
          `${layer.name}/alpha`,
          perm.map((p) => alpha.shape[p] as number),
          transposeData(alpha.data, alpha.shape, perm),
        )
      : graph.addFloatInitializer(`${layer.name}/alpha`, alpha.shape, alpha.data);
    const out = graph.addNode('PRelu', [name, slope], {}, layer.name);
    return graph.value(args.outputShape, layout, out);
  },
};
