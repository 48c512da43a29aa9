// Rescaling, Resizing and CenterCrop. The resampling is written as Gathers with index tables computed here the
// way tfjs's cpu kernels compute them (including their quirks), so the result does not depend on how a runtime
// rounds Resize's coordinate transforms.
import { unsupportedOption } from '../errors.js';
import type { GraphBuilder } from '../graph.js';
import { type ConvertArgs, type ConverterFamily, single } from './types.js';

const SPATIAL = { height: 1, width: 2 } as const;

/** Nearest source index per output position, as tfjs's ResizeNearestNeighbor (halfPixelCenters false). */
function nearestIndices(inSize: number, outSize: number, alignCorners: boolean): number[] {
  const ratio = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  return Array.from({ length: outSize }, (_, r) =>
    Math.min(inSize - 1, alignCorners ? Math.round(ratio * r) : Math.floor(ratio * r)),
  );
}

/** Gathers `indices` of NHWC `x` along `axis`. */
function gatherAxis(
  graph: GraphBuilder,
  x: string,
  axis: number,
  indices: readonly number[],
  base: string,
): string {
  const table = graph.addInt64Initializer(`${base}/indices`, [indices.length], indices);
  return graph.addNode('Gather', [x, table], { axis }, base);
}

/** Linear interpolation along `axis`, as tfjs's ResizeBilinear (halfPixelCenters false). */
function bilinearAxis(
  graph: GraphBuilder,
  x: string,
  axis: number,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  base: string,
): string {
  const ratio = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  const source = Array.from({ length: outSize }, (_, r) => ratio * r);
  const floor = source.map((s) => Math.max(0, Math.floor(s)));
  const ceil = source.map((s) => Math.min(inSize - 1, Math.ceil(s)));
  const frac = Float32Array.from(source, (s, i) => s - (floor[i] as number));
  const low = gatherAxis(graph, x, axis, floor, `${base}/low`);
  const high = gatherAxis(graph, x, axis, ceil, `${base}/high`);
  // [outSize, 1] for the width axis, [outSize, 1, 1] for the height axis of NHWC.
  const weights = graph.addFloatInitializer(
    `${base}/fraction`,
    [outSize, ...Array<number>(3 - axis).fill(1)],
    frac,
  );
  const step = graph.addNode('Sub', [high, low], {}, `${base}/step`);
  return graph.addNode('Add', [low, graph.addNode('Mul', [step, weights], {}, `${base}/scaled`)], {}, base);
}

/** tfjs resizeBilinear: along the width first, then the height (its summation order). */
function resizeBilinear(
  graph: GraphBuilder,
  x: string,
  from: [number, number],
  to: [number, number],
  alignCorners: boolean,
  base: string,
): string {
  const across = bilinearAxis(graph, x, SPATIAL.width, from[1], to[1], alignCorners, `${base}/width`);
  return bilinearAxis(graph, across, SPATIAL.height, from[0], to[0], alignCorners, base);
}

/** The saved H and W: the index tables are computed from them, so free sizes fall back to the saved ones. */
function staticSize(args: ConvertArgs): [number, number] {
  args.graph.requireFixedSize(args.layer, 'computes its resampling or crop indices from the input H and W');
  const shape = single(args).shape;
  const [h, w] = [shape[1], shape[2]];
  if (shape.length !== 4 || typeof h !== 'number' || typeof w !== 'number') {
    throw unsupportedOption(
      args.layer,
      'input shape',
      `${JSON.stringify(shape)} (needs [N, H, W, C] with H, W fixed)`,
    );
  }
  return [h, w];
}

export const rescalingConverter: ConverterFamily = {
  classNames: ['Rescaling'],
  doc: { onnx: 'Mul, Add', options: 'scale, offset; any rank, either layout' },
  convert(args) {
    const { graph, layer, config } = args;
    const { name, layout } = graph.native(single(args));
    const scalar = (suffix: string, v: number) =>
      graph.addFloatInitializer(`${layer.name}/${suffix}`, [], new Float32Array([v]));
    const scaled = graph.addNode(
      'Mul',
      [name, scalar('scale', config.number('scale'))],
      {},
      `${layer.name}/scaled`,
    );
    const out = graph.addNode('Add', [scaled, scalar('offset', config.number('offset', 0))], {}, layer.name);
    return graph.value(args.outputShape, layout, out);
  },
};

/**
 * tfjs 4.22's Resizing passes `!cropToAspectRatio` as alignCorners and never crops: the default resamples with
 * aligned corners, cropToAspectRatio true without. The exporter reproduces exactly that, and writes the true
 * output shape [N, height, width, C]. (Layers after it see tfjs's wrong shape, so in tfjs it only works last.)
 */
export const resizingConverter: ConverterFamily = {
  classNames: ['Resizing'],
  doc: {
    onnx: 'Gather (nearest), Gather + Sub/Mul/Add (bilinear) with index tables',
    options:
      'interpolation bilinear/nearest, cropToAspectRatio (as tfjs 4.22: alignCorners off, no crop); fixed H, W',
  },
  convert(args) {
    const { graph, layer, config } = args;
    const from = staticSize(args);
    const to: [number, number] = [config.number('height'), config.number('width')];
    const alignCorners = !config.boolean('cropToAspectRatio', false);
    const x = graph.in(single(args), 'channelsLast');
    let out: string;
    if (config.oneOf('interpolation', ['bilinear', 'nearest'], 'bilinear') === 'bilinear') {
      out = resizeBilinear(graph, x, from, to, alignCorners, layer.name);
    } else {
      const rows = gatherAxis(
        graph,
        x,
        SPATIAL.height,
        nearestIndices(from[0], to[0], alignCorners),
        `${layer.name}/rows`,
      );
      out = gatherAxis(graph, rows, SPATIAL.width, nearestIndices(from[1], to[1], alignCorners), layer.name);
    }
    // tfjs 4.22's Resizing reports [height, width, W] as its output shape (no batch, wrong channels).
    const channels = single(args).shape[3] ?? null;
    return graph.value([null, to[0], to[1], channels], 'channelsLast', out);
  },
};

/**
 * Source indices of tfjs's CenterCrop: cropAndResize (nearest) over the float32 box [buffer/in, (size+buffer)/in];
 * `null` where the kernel extrapolates (writes 0).
 */
function cropIndices(inSize: number, size: number, buffer: number): (number | null)[] {
  const y1 = Math.fround(buffer / inSize);
  const y2 = Math.fround((size + buffer) / inSize);
  const scale = size > 1 ? ((y2 - y1) * (inSize - 1)) / (size - 1) : 0;
  return Array.from({ length: size }, (_, y) => {
    const source = size > 1 ? y1 * (inSize - 1) + y * scale : 0.5 * (y1 + y2) * (inSize - 1);
    return source < 0 || source > inSize - 1 ? null : Math.round(source);
  });
}

/**
 * CenterCrop as tfjs 4.22 computes it: a nearest-neighbour crop-and-resize of the centred box (not a plain slice;
 * an odd width difference of 1 moves the box by one), or, when the target is larger than the input on either
 * axis, a bilinear resize of the whole image. tfjs 4.22's computeOutputShape writes the crop size into the
 * input's recorded shape, so a model built by stock tfjs shows an input of the crop size: refused, as the real
 * size is lost (a recorded input that differs from the crop is converted).
 */
export const centerCropConverter: ConverterFamily = {
  classNames: ['CenterCrop'],
  doc: {
    onnx: 'Gather with index tables (crop), or Gather + Sub/Mul/Add (upsizing)',
    options: 'height, width; fixed H, W',
  },
  convert(args) {
    const { graph, layer, config } = args;
    const [inH, inW] = staticSize(args);
    const [h, w] = [config.number('height'), config.number('width')];
    if (inH === h && inW === w) {
      throw unsupportedOption(
        layer,
        'input size',
        `${h}×${w} equal to the crop (tfjs 4.22 overwrites the input's recorded shape with the crop size, so the real input size is unknown)`,
      );
    }
    const hBuffer = inH === h ? 0 : Math.floor((inH - h) / 2);
    let wBuffer = inW === w ? 0 : Math.floor((inW - w) / 2);
    if (inW !== w && wBuffer === 0) wBuffer = 1;
    const x = graph.in(single(args), 'channelsLast');
    if (hBuffer < 0 || wBuffer < 0) {
      const out = resizeBilinear(graph, x, [inH, inW], [h, w], false, layer.name);
      return graph.value(args.outputShape, 'channelsLast', out);
    }
    const rows = cropIndices(inH, h, hBuffer);
    const cols = cropIndices(inW, w, wBuffer);
    const cropped = gatherAxis(
      graph,
      gatherAxis(
        graph,
        x,
        SPATIAL.height,
        rows.map((r) => r ?? 0),
        `${layer.name}/rows`,
      ),
      SPATIAL.width,
      cols.map((c) => c ?? 0),
      `${layer.name}/cropped`,
    );
    let out = cropped;
    if (rows.includes(null) || cols.includes(null)) {
      const mask = new Float32Array(h * w);
      rows.forEach((r, i) => {
        cols.forEach((c, j) => {
          mask[i * w + j] = r === null || c === null ? 0 : 1;
        });
      });
      out = graph.addNode(
        'Mul',
        [cropped, graph.addFloatInitializer(`${layer.name}/inside`, [h, w, 1], mask)],
        {},
        layer.name,
      );
    }
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};

/**
 * RandomWidth is an augmentation: Keras defines it as the identity at inference. tfjs 4.22 resizes on every call
 * and cannot even apply it to a symbolic input, so this follows Keras (no tfjs reference exists to compare with).
 */
export const randomWidthConverter: ConverterFamily = {
  classNames: ['RandomWidth'],
  doc: {
    onnx: '(none: identity at inference, as Keras defines it)',
    options: 'all (tfjs 4.22 cannot build it into a model)',
  },
  convert: single,
};
