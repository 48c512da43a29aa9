import { type ConvertArgs, single } from './converters/types.js';
import { ExportError, type LayerRef } from './errors.js';
import type { AttributeValue, GraphBuilder, Shape } from './graph.js';
import type { Layout } from './layout.js';

export type PaddingMode = 'valid' | 'same';
export type DataFormat = 'channelsLast' | 'channelsFirst';

interface WindowPadding {
  /** ONNX `pads`: [begin…, end…], all ≥ 0. */
  pads: number[];
  /** Elements to drop at the start of each spatial axis before the op (tfjs 3D negative padding). */
  cropBegin: number[];
}

/**
 * The channels-first (NC…) input of a windowed op, the layout tag of that data, and the op's padding attributes.
 * A tfjs `channelsFirst` layer already holds NC… data (tagged channelsLast: "as tfjs has it"), so no Transpose.
 */
export function channelsFirstInput(
  args: ConvertArgs,
  dataFormat: DataFormat,
): { input: string; layout: Layout } {
  const layout: Layout = dataFormat === 'channelsLast' ? 'channelsFirst' : 'channelsLast';
  return { input: args.graph.in(single(args), layout), layout };
}

/**
 * The channels-first input of a windowed op (Conv, MaxPool, AveragePool) and its padding attributes, reproducing
 * tfjs's padding: explicit `pads`, a Slice first where tfjs 3D padding is negative, or `auto_pad` SAME_UPPER when
 * the spatial sizes are free and the padding depends on them.
 */
export function windowInput(
  args: ConvertArgs,
  padding: PaddingMode,
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  dataFormat: DataFormat = 'channelsLast',
): { input: string; attrs: Record<string, AttributeValue>; layout: Layout } {
  const { graph, layer } = args;
  const n = kernel.length;
  const { input, layout } = channelsFirstInput(args, dataFormat);
  const tfShape = args.inputShapes[0] ?? [];
  const spatial = dataFormat === 'channelsLast' ? tfShape.slice(1, n + 1) : tfShape.slice(2, n + 2);
  if (graph.freeSize && padding === 'same' && strides.some((s) => s > 1)) {
    // ONNX SAME_UPPER = tfjs 'same' (floor(total / 2) first) whatever the size while the window covers its
    // stride. A smaller window makes the total negative for some sizes: tfjs clamps it at 0 in 1D/2D and shifts
    // the windows in 3D, onnxruntime refuses it; so such layers keep the saved size.
    const effective = kernel.map((k, i) => (k - 1) * (dilations[i] as number) + 1);
    if (effective.some((k, i) => k < (strides[i] as number))) {
      graph.requireFixedSize(
        layer,
        "has 'same' windows smaller than their strides (the padding depends on the size)",
      );
    } else {
      return { input, attrs: { auto_pad: { string: 'SAME_UPPER' } }, layout };
    }
  }
  const { pads, cropBegin } = windowPadding(layer, spatial, padding, kernel, strides, dilations);
  return { input: cropSpatial(graph, layer.name, input, cropBegin), attrs: { pads }, layout };
}

/**
 * ONNX padding reproducing tfjs padding for windows over the spatial dims.
 * tfjs 'same' gives ceil(in / stride) outputs and puts floor(total / 2) first, the rest last (= SAME_UPPER).
 * For 1D/2D ops tfjs clamps the total at 0, like TensorFlow. For 3D ops tfjs 4.22 does not
 * (conv_util get3DPadAndOutInfo): when the window is smaller than the stride the total can be negative, and a
 * negative front padding shifts every window forward. ONNX pads must be ≥ 0, so that shift becomes a crop.
 */
export function windowPadding(
  layer: LayerRef,
  spatial: Shape,
  padding: PaddingMode,
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): WindowPadding {
  const n = kernel.length;
  const zeros = () => new Array<number>(n).fill(0);
  const effective = kernel.map((k, i) => (k - 1) * (dilations[i] as number) + 1);
  if (padding === 'valid') return { pads: [...zeros(), ...zeros()], cropBegin: zeros() };
  const begins: number[] = [];
  const ends: number[] = [];
  const cropBegin: number[] = [];
  for (let i = 0; i < n; i++) {
    const stride = strides[i] as number;
    const size = spatial[i];
    if (stride === 1) {
      // Independent of the size: total = window − 1 ≥ 0.
      const total = (effective[i] as number) - 1;
      begins.push(Math.floor(total / 2));
      ends.push(total - Math.floor(total / 2));
      cropBegin.push(0);
      continue;
    }
    if (typeof size !== 'number') {
      throw new ExportError(
        `layer '${layer.name}' (${layer.className}): padding 'same' with strides needs static spatial input dims, got ${JSON.stringify(spatial)}`,
      );
    }
    const out = Math.ceil(size / stride);
    const unclamped = (out - 1) * stride + (effective[i] as number) - size;
    const total = n === 3 ? unclamped : Math.max(0, unclamped);
    const begin = Math.floor(total / 2);
    begins.push(Math.max(0, begin));
    cropBegin.push(Math.max(0, -begin));
    // A negative end needs no crop: the output count comes out right (|end| < stride).
    ends.push(Math.max(0, total - begin));
  }
  return { pads: [...begins, ...ends], cropBegin };
}

/** INT64 max: a Slice end meaning "to the end of the axis", whatever its size. */
export const TO_END = Number.MAX_SAFE_INTEGER;

/** Applies `cropBegin` to the spatial axes of NC… data with a Slice; returns the input unchanged when nothing is cropped. */
function cropSpatial(
  graph: GraphBuilder,
  layerName: string,
  input: string,
  cropBegin: readonly number[],
): string {
  const axes = cropBegin.flatMap((c, i) => (c > 0 ? [i] : []));
  if (axes.length === 0) return input;
  return slice(
    graph,
    `${layerName}/crop`,
    input,
    axes.map((i) => cropBegin[i] as number),
    axes.map(() => TO_END),
    axes.map((i) => i + 2),
  );
}

/** A Slice node with constant starts, ends and axes. */
export function slice(
  graph: GraphBuilder,
  base: string,
  input: string,
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[],
): string {
  const int64 = (suffix: string, values: readonly number[]) =>
    graph.addInt64Initializer(`${base}/${suffix}`, [values.length], values);
  return graph.addNode(
    'Slice',
    [input, int64('starts', starts), int64('ends', ends), int64('axes', axes)],
    {},
    base,
  );
}
