// Bidirectional (two recurrent passes, merged) and TimeDistributed (time folded into the batch).
import { ExportError, unsupportedOption } from '../errors.js';
import type { Value } from '../graph.js';
import { REGISTRY } from './index.js';
import { convertRecurrent, reverseAxis } from './recurrent.js';
import { type ConverterFamily, single } from './types.js';

const MERGE_MODES = ['concat', 'sum', 'mul', 'ave'] as const;

/**
 * tfjs runs the wrapped layer forwards and a copy with goBackwards flipped, reverses the backward sequence back
 * into input order (returnSequences), then merges: exactly two recurrent conversions and one merge node here.
 */
export const bidirectionalConverter: ConverterFamily = {
  classNames: ['Bidirectional'],
  doc: {
    onnx: 'two recurrent conversions, Slice step −1, Concat / Add / Mul / Add·0.5',
    options: `mergeMode ${MERGE_MODES.join('/')}/null (two outputs); returnState; any recurrent layer above, input masks`,
  },
  consumesMasks: true,
  convert(args) {
    const { graph, layer, config, weights } = args;
    const input = single(args);
    // getConfig() always carries mergeMode; null means the two sequences are returned as they are.
    const mode = config.has('mergeMode') ? config.oneOf('mergeMode', MERGE_MODES) : null;
    const inner = config.nested('layer');
    const half = weights.list.length / 2;
    const run = (backward: boolean, base: string) =>
      convertRecurrent({
        graph,
        layer: { name: `${layer.name}/${base}`, className: inner.className },
        className: inner.className,
        config: backward
          ? inner.config.with({ goBackwards: !inner.config.boolean('goBackwards', false) })
          : inner.config,
        weights: backward ? weights.list.slice(half) : weights.list.slice(0, half),
        input,
      });
    const forward = run(false, 'forward');
    const backward = run(true, 'backward');
    const sequences = forward.output.shape.length === 3;
    const fw = graph.in(forward.output, 'channelsLast');
    let bw = graph.in(backward.output, 'channelsLast');
    if (sequences) bw = reverseAxis(graph, bw, 1, `${layer.name}/backward/reversed`);
    const states = inner.config.boolean('returnState', false) ? [...forward.states, ...backward.states] : [];
    // Both passes read the input's mask (convertRecurrent); tfjs hands it on with the sequences.
    const withMask = (value: Value) => {
      if (sequences && input.mask !== undefined) value.mask = input.mask;
      return value;
    };
    if (mode === null) {
      return [forward.output, withMask(graph.value(forward.output.shape, 'channelsLast', bw)), ...states];
    }
    let out: string;
    if (mode === 'concat') out = graph.addNode('Concat', [fw, bw], { axis: -1 }, layer.name);
    else if (mode === 'sum') out = graph.addNode('Add', [fw, bw], {}, layer.name);
    else if (mode === 'mul') out = graph.addNode('Mul', [fw, bw], {}, layer.name);
    else {
      const sum = graph.addNode('Add', [fw, bw], {}, `${layer.name}/sum`);
      const half = graph.addFloatInitializer(`${layer.name}/half`, [], new Float32Array([0.5]));
      out = graph.addNode('Mul', [sum, half], {}, layer.name);
    }
    const merged = withMask(graph.value(args.outputShape, 'channelsLast', out));
    return states.length === 0 ? merged : [merged, ...states];
  },
};

/**
 * The wrapped layer converted on [N·T, ...] (its own converter, any registered class), the result reshaped back
 * to [N, T, ...]. Both shapes come from Shape at run time, so N, T and the inner sizes may all be symbolic.
 */
export const timeDistributedConverter: ConverterFamily = {
  classNames: ['TimeDistributed'],
  doc: {
    onnx: 'Reshape [N·T, …] → the wrapped layer’s nodes → Reshape [N, T, …]',
    options: 'any converted layer inside; symbolic N and T',
  },
  convert(args) {
    const { graph, layer, config, weights } = args;
    const input = single(args);
    const inner = config.nested('layer');
    const converter = REGISTRY.get(inner.className);
    if (converter === undefined || inner.className === 'InputLayer') {
      throw unsupportedOption(
        layer,
        'layer',
        `'${inner.className}' (a class this exporter does not convert)`,
      );
    }
    const x = graph.in(input, 'channelsLast');
    const base = layer.name;
    const int64 = (suffix: string, values: number[]) =>
      graph.addInt64Initializer(`${base}/${suffix}`, [values.length], values);
    const slice = (source: string, start: number, end: number, suffix: string) =>
      graph.addNode(
        'Slice',
        [source, int64(`${suffix}/starts`, [start]), int64(`${suffix}/ends`, [end])],
        {},
        `${base}/${suffix}`,
      );
    const shape = graph.addNode('Shape', [x], {}, `${base}/shape`);
    const rank = input.shape.length;
    const folded = graph.addNode(
      'Concat',
      [int64('minus_one', [-1]), slice(shape, 2, rank, 'inner_shape')],
      { axis: 0 },
      `${base}/folded_shape`,
    );
    const flat = graph.addNode('Reshape', [x, folded], {}, `${base}/folded`);
    const innerRef = {
      name: `${base}/${inner.config.string('name', inner.className)}`,
      className: inner.className,
    };
    let result: Value | Value[];
    try {
      result = converter.convert({
        graph,
        layer: innerRef,
        config: inner.config,
        weights,
        inputs: [graph.value([null, ...input.shape.slice(2)], 'channelsLast', flat)],
        inputShapes: [[null, ...input.shape.slice(2)]],
        outputShape: [null, ...args.outputShape.slice(2)],
      });
    } catch (error) {
      if (error instanceof ExportError)
        throw new ExportError(`${error.message} (inside '${layer.name}' (TimeDistributed))`);
      throw error;
    }
    if (Array.isArray(result)) throw unsupportedOption(layer, 'layer', 'with several outputs');
    const y = graph.in(result, 'channelsLast');
    const yShape = graph.addNode('Shape', [y], {}, `${base}/inner_output_shape`);
    const unfolded = graph.addNode(
      'Concat',
      [slice(shape, 0, 2, 'batch_time'), slice(yShape, 1, result.shape.length, 'inner_output')],
      { axis: 0 },
      `${base}/unfolded_shape`,
    );
    const out = graph.addNode('Reshape', [y, unfolded], {}, base);
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
