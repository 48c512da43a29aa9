import { unsupportedOption } from '../errors.js';
import { DataType } from '../proto/index.js';
import { type Converter, single } from './types.js';

/**
 * Embedding → Cast to int64 (truncation, as tfjs casts to int32) → Gather rows of the table. The model input
 * carries float token ids, as in tfjs; ids must lie in [0, inputDim).
 */
export const embeddingConverter: Converter = {
  classNames: ['Embedding'],
  doc: {
    onnx: 'Cast int64 → Gather',
    options: 'any input rank; maskZero false (a mask changes downstream recurrent layers: refused)',
  },
  convert(args) {
    const { graph, layer, config, weights } = args;
    if (config.boolean('maskZero', false)) {
      throw unsupportedOption(layer, 'maskZero', 'true (the mask skips recurrent steps; not converted)');
    }
    const table = weights.required('embeddings');
    const ids = graph.addNode(
      'Cast',
      [graph.in(single(args), 'channelsLast')],
      { to: DataType.INT64 },
      `${layer.name}/ids`,
    );
    const t = graph.addFloatInitializer(`${layer.name}/embeddings`, table.shape, table.data);
    const out = graph.addNode('Gather', [t, ids], { axis: 0 }, layer.name);
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
