import { unsupportedOption } from '../errors.js';
import { DataType } from '../proto/index.js';
import { notEqualMask } from './masking.js';
import { type ConverterFamily, single } from './types.js';

/**
 * Embedding → Cast to int64 (truncation, as tfjs casts to int32) → Gather rows of the table. The model input
 * carries float token ids, as in tfjs; ids must lie in [0, inputDim).
 */
export const embeddingConverter: ConverterFamily = {
  classNames: ['Embedding'],
  doc: {
    onnx: 'Cast int64 → Gather',
    options: 'any input rank; maskZero on [N, T] ids (the mask feeds the recurrent layers, as Masking’s)',
  },
  convert(args) {
    const { graph, layer, config, weights } = args;
    const input = single(args);
    const x = graph.in(input, 'channelsLast');
    const maskZero = config.boolean('maskZero', false);
    if (maskZero && input.shape.length !== 2) {
      throw unsupportedOption(
        layer,
        'maskZero',
        `on rank-${input.shape.length} ids (masks are converted for [N, T])`,
      );
    }
    const table = weights.required('embeddings');
    const ids = graph.addNode('Cast', [x], { to: DataType.INT64 }, `${layer.name}/ids`);
    const t = graph.addFloatInitializer(`${layer.name}/embeddings`, table.shape, table.data);
    const out = graph.addNode('Gather', [t, ids], { axis: 0 }, layer.name);
    const value = graph.value(args.outputShape, 'channelsLast', out);
    if (!maskZero) return value;
    // tfjs masks ids that are 0 as floats (before its int cast), as [N, T]; the Scan wants [N, T, 1].
    const mask = graph.addNode(
      'Unsqueeze',
      [
        notEqualMask(graph, x, 0, `${layer.name}/nonzero`),
        graph.addInt64Initializer(`${layer.name}/mask_axis`, [1], [2]),
      ],
      {},
      `${layer.name}/mask`,
    );
    return { ...value, mask };
  },
};
