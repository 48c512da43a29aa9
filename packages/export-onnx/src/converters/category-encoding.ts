import { unsupportedOption } from '../errors.js';
import { DataType } from '../proto/index.js';
import { type ConverterFamily, single } from './types.js';

/**
 * CategoryEncoding on [N, k] token ids: Equal against 0..numTokens−1 gives [N, k, numTokens], summed (count) or
 * maxed (multiHot) over k. oneHot is multiHot of a single id per row (k = 1), as tfjs computes it.
 */
export const categoryEncodingConverter: ConverterFamily = {
  classNames: ['CategoryEncoding'],
  doc: {
    onnx: 'Cast int64, Unsqueeze, Equal 0…numTokens−1, Cast, ReduceSum / ReduceMax',
    options: 'outputMode count, multiHot, oneHot (one id per row); rank-2 input',
  },
  convert(args) {
    const { graph, layer, config } = args;
    const input = single(args);
    const mode = config.oneOf('outputMode', ['count', 'multiHot', 'oneHot'], 'multiHot');
    const tokens = config.number('numTokens');
    if (input.shape.length !== 2) throw unsupportedOption(layer, 'input rank', String(input.shape.length));
    if (mode === 'oneHot' && input.shape[1] !== 1) {
      throw unsupportedOption(
        layer,
        'outputMode',
        `'oneHot' on ${input.shape[1]} ids per row (tfjs needs one)`,
      );
    }
    const base = layer.name;
    const ids = graph.addNode(
      'Cast',
      [graph.in(input, 'channelsLast')],
      { to: DataType.INT64 },
      `${base}/ids`,
    );
    const column = graph.addNode(
      'Unsqueeze',
      [ids, graph.addInt64Initializer(`${base}/axis`, [1], [2])],
      {},
      `${base}/ids_column`,
    );
    const range = graph.addInt64Initializer(
      `${base}/tokens`,
      [tokens],
      Array.from({ length: tokens }, (_, i) => i),
    );
    const hits = graph.addNode('Equal', [column, range], {}, `${base}/hits`);
    const ones = graph.addNode('Cast', [hits], { to: DataType.FLOAT }, `${base}/one_hot`);
    const out =
      mode === 'count'
        ? graph.addNode(
            'ReduceSum',
            [ones, graph.addInt64Initializer(`${base}/reduce_axis`, [1], [1])],
            { keepdims: 0 },
            base,
          )
        : graph.addNode('ReduceMax', [ones], { axes: [1], keepdims: 0 }, base);
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
