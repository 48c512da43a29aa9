import { unsupportedOption } from '../errors.js';
import type { GraphBuilder } from '../graph.js';
import { DataType } from '../proto/index.js';
import { type ConverterFamily, single } from './types.js';

/** tfjs layers that support masking but ignore the mask: their output carries their input's mask on. */
export const MASK_PASSING: ReadonlySet<string> = new Set([
  'Dense',
  'Activation',
  'ReLU',
  'PReLU',
  'BatchNormalization',
  'LayerNormalization',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/** float32 1 where `x` differs from `value`, else 0 (tfjs's notEqual, cast). */
export function notEqualMask(graph: GraphBuilder, x: string, value: number, base: string): string {
  const v = graph.addFloatInitializer(`${base}/value`, [], new Float32Array([value]));
  const equal = graph.addNode('Equal', [x, v], {}, `${base}/equal`);
  const differs = graph.addNode('Not', [equal], {}, `${base}/differs`);
  return graph.addNode('Cast', [differs], { to: DataType.FLOAT }, base);
}

/**
 * Masking on [N, T, F]: a step whose features all equal maskValue becomes zeros, and the step mask (any feature
 * differs) travels with the value to the recurrent layers, which keep their state over masked steps (a Scan).
 * Layers that ignore a mask pass it on; one reaching any other mask-aware tfjs layer is refused (traverse.ts).
 */
export const maskingConverter: ConverterFamily = {
  classNames: ['Masking'],
  doc: {
    onnx: 'Equal, Not, Cast, ReduceMax, Mul; the mask feeds the recurrent layers’ Scan',
    options:
      'maskValue; [N, T, F] input; the mask may reach recurrent layers, Bidirectional and dropout/noise layers',
  },
  convert(args) {
    const { graph, layer, config } = args;
    const input = single(args);
    if (input.shape.length !== 3) {
      throw unsupportedOption(
        layer,
        'input rank',
        `${input.shape.length} (masks are converted for [N, T, F])`,
      );
    }
    const x = graph.in(input, 'channelsLast');
    const differs = notEqualMask(graph, x, config.number('maskValue', 0), `${layer.name}/differs`);
    const mask = graph.addNode('ReduceMax', [differs], { axes: [-1], keepdims: 1 }, `${layer.name}/mask`);
    const out = graph.addNode('Mul', [x, mask], {}, layer.name);
    return { ...graph.value(args.outputShape, 'channelsLast', out), mask };
  },
};
