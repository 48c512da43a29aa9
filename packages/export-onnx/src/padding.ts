import { type ConvertArgs, single } from './converters/types.js';
import { ExportError, type LayerRef } from './errors.js';
import type { GraphBuilder, Shape } from './graph.js';

interface WindowPadding {
  /** ONNX `pads`: [begin…, end…], all ≥ 0. */
  pads: number[];
  /** Elements to drop at the start of each spatial axis before the op (tfjs 3D negative padding). */
  cropBegin: number[];
}

/**
 * The channels-first input of a windowed op (Conv, MaxPool, AveragePool) and its ONNX `pads`, reproducing tfjs's
 * padding: a Slice crops the input first where tfjs 3D padding is negative.
 */
export function windowInput(
  args: ConvertArgs,
  padding: 'valid' | 'same',
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): { input: string; pads: number[] } {
  const { graph, layer } = args;
  const inputShape = args.inputShapes[0] ?? [];
  const { pads, cropBegin } = windowPadding(layer, inputShape, padding, kernel, strides, dilations);
  const input = cropChannelsFirst(
    graph,
    layer.name,
    graph.in(single(args), 'channelsFirst'),
    inputShape,
    cropBegin,
  );
  return { input, pads };
}

/**
 * ONNX padding reproducing tfjs padding for windows over the spatial dims.
 * tfjs 'same' gives ceil(in / stride) outputs and puts floor(total / 2) first, the rest last (= SAME_UPPER).
 * For 2D ops tfjs clamps the total at 0, like TensorFlow. For 3D ops tfjs 4.22 does not
 * (conv_util get3DPadAndOutInfo): when the window is smaller than the stride the total can be negative, and a
 * negative front padding shifts every window forward. ONNX pads must be ≥ 0, so that shift becomes a crop.
 */
export function windowPadding(
  layer: LayerRef,
  inputShape: Shape,
  padding: 'valid' | 'same',
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): WindowPadding {
  const n = kernel.length;
  const zeros = () => new Array<number>(n).fill(0);
  if (padding === 'valid') return { pads: [...zeros(), ...zeros()], cropBegin: zeros() };
  const begins: number[] = [];
  const ends: number[] = [];
  const cropBegin: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = inputShape[i + 1];
    if (typeof size !== 'number') {
      throw new ExportError(
        `layer '${layer.name}' (${layer.className}): padding 'same' needs static spatial input dims, got ${JSON.stringify(inputShape)}`,
      );
    }
    const stride = strides[i] as number;
    const effectiveKernel = ((kernel[i] as number) - 1) * (dilations[i] as number) + 1;
    const out = Math.ceil(size / stride);
    const unclamped = (out - 1) * stride + effectiveKernel - size;
    const total = n === 3 ? unclamped : Math.max(0, unclamped);
    const begin = Math.floor(total / 2);
    begins.push(Math.max(0, begin));
    cropBegin.push(Math.max(0, -begin));
    // A negative end needs no crop: the output count comes out right (|end| < stride).
    ends.push(Math.max(0, total - begin));
  }
  return { pads: [...begins, ...ends], cropBegin };
}

/** Applies `cropBegin` to a channels-first input with a Slice; returns the input unchanged when nothing is cropped. */
function cropChannelsFirst(
  graph: GraphBuilder,
  layerName: string,
  input: string,
  inputShape: Shape,
  cropBegin: readonly number[],
): string {
  const axes = cropBegin.flatMap((c, i) => (c > 0 ? [i] : []));
  if (axes.length === 0) return input;
  const int64 = (suffix: string, values: number[]) =>
    graph.addInt64Initializer(`${layerName}/${suffix}`, [values.length], values);
  return graph.addNode(
    'Slice',
    [
      input,
      int64(
        'crop_starts',
        axes.map((i) => cropBegin[i] as number),
      ),
      int64(
        'crop_ends',
        axes.map((i) => inputShape[i + 1] as number),
      ),
      int64(
        'crop_axes',
        axes.map((i) => i + 2),
      ),
    ],
    {},
    `${layerName}/crop`,
  );
}
