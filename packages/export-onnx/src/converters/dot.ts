import { ExportError, unsupportedOption } from '../errors.js';
import type { GraphBuilder } from '../graph.js';
import type { ConverterFamily } from './types.js';

/** tfjs's l2Normalize: x / sqrt(max(Σx², 1e-7)) along `axis`. */
function l2Normalize(graph: GraphBuilder, x: string, axis: number, base: string): string {
  const squares = graph.addNode('ReduceSumSquare', [x], { axes: [axis], keepdims: 1 }, `${base}/sum_squares`);
  const epsilon = graph.addFloatInitializer(`${base}/epsilon`, [], new Float32Array([1e-7]));
  const norm = graph.addNode(
    'Sqrt',
    [graph.addNode('Max', [squares, epsilon], {}, `${base}/clamped`)],
    {},
    `${base}/norm`,
  );
  return graph.addNode('Div', [x, norm], {}, base);
}

/**
 * Dot of two inputs of equal rank, as tfjs's batchDot: rank 2 → Mul + ReduceSum [N, 1]; rank 3 → MatMul with the
 * contracted axes moved into place by Transpose. normalize: L2 along the contracted axes first.
 */
export const dotConverter: ConverterFamily = {
  classNames: ['Dot'],
  doc: {
    onnx: 'Mul + ReduceSum (rank 2), Transpose + MatMul (rank 3); ReduceSumSquare, Max, Sqrt, Div to normalize',
    options: 'axes (one or a pair), normalize; two inputs of rank 2 or 3 (equal ranks)',
  },
  convert(args) {
    const { graph, layer, config, inputs } = args;
    const [a, b] = inputs;
    if (a === undefined || b === undefined || inputs.length !== 2) {
      throw new ExportError(`layer '${layer.name}' (Dot): expects two inputs`);
    }
    const rank = a.shape.length;
    if (b.shape.length !== rank || (rank !== 2 && rank !== 3)) {
      throw unsupportedOption(
        layer,
        'input ranks',
        `${rank} and ${b.shape.length} (equal ranks 2 or 3 only)`,
      );
    }
    const axes = config.integers('axes', 2).map((axis) => (axis < 0 ? axis + rank : axis)) as [
      number,
      number,
    ];
    if (axes.includes(0)) throw unsupportedOption(layer, 'axes', '0 (the batch axis)');
    let x = graph.in(a, 'channelsLast');
    let y = graph.in(b, 'channelsLast');
    if (config.boolean('normalize', false)) {
      x = l2Normalize(graph, x, axes[0], `${layer.name}/normalized_0`);
      y = l2Normalize(graph, y, axes[1], `${layer.name}/normalized_1`);
    }
    let out: string;
    if (rank === 2) {
      const product = graph.addNode('Mul', [x, y], {}, `${layer.name}/product`);
      out = graph.addNode(
        'ReduceSum',
        [product, graph.addInt64Initializer(`${layer.name}/axes`, [1], [1])],
        { keepdims: 1 },
        layer.name,
      );
    } else {
      // matMul(x, y, adjX = contract x on axis 1, adjY = contract y on axis 2), as tfjs's batchDot.
      if (axes[0] === 1) x = graph.addNode('Transpose', [x], { perm: [0, 2, 1] }, `${layer.name}/x_t`);
      if (axes[1] === 2) y = graph.addNode('Transpose', [y], { perm: [0, 2, 1] }, `${layer.name}/y_t`);
      out = graph.addNode('MatMul', [x, y], {}, layer.name);
    }
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
