import type { AttributeValue } from '../graph.js';
import type { Layout } from '../layout.js';
import { mapAxis } from '../layout.js';
import { channelsFirstInput, type DataFormat, slice, TO_END } from '../padding.js';
import { type ConvertArgs, type ConverterFamily, single } from './types.js';

const PAIRS = (option: string) => `${option}: a number, one per axis, or [begin, end] pairs; dataFormat`;

const RANK: Record<string, number> = {
  ZeroPadding2D: 2,
  ZeroPadding3D: 3,
  Cropping2D: 2,
  Cropping3D: 3,
  UpSampling2D: 2,
  UpSampling3D: 3,
};

/**
 * Padding, cropping and upsampling of the spatial axes. Pad and Slice work in whatever layout the data already
 * has; Resize runs on NC… data. The 3D classes are this project's Keras-semantics layers (@conv3d/train/layers).
 */
export const spatialConverter: ConverterFamily = {
  classNames: Object.keys(RANK),
  doc: { onnx: '', options: '' },
  classDocs: {
    ZeroPadding2D: { onnx: 'Pad', options: PAIRS('padding') },
    ZeroPadding3D: { onnx: 'Pad', options: PAIRS('padding') },
    Cropping2D: { onnx: 'Slice', options: PAIRS('cropping') },
    Cropping3D: { onnx: 'Slice', options: PAIRS('cropping') },
    UpSampling2D: {
      onnx: 'Resize (asymmetric; nearest floor or linear)',
      options: 'size, interpolation nearest/bilinear, dataFormat',
    },
    UpSampling3D: {
      onnx: 'Resize (nearest, asymmetric, floor)',
      options: 'size (Keras repeat-elements), dataFormat',
    },
  },
  convert(args) {
    const { graph, layer, config } = args;
    const n = RANK[layer.className] as number;
    const dataFormat = config.oneOf<DataFormat>(
      'dataFormat',
      ['channelsLast', 'channelsFirst'],
      'channelsLast',
    );
    if (layer.className.startsWith('UpSampling')) return upSampling(args, n, dataFormat);
    const { name, layout, axes } = spatialAxes(args, n, dataFormat);
    const rank = single(args).shape.length;
    let out: string;
    if (layer.className.startsWith('ZeroPadding')) {
      const padding = config.pairs('padding', n);
      const begins = new Array<number>(rank).fill(0);
      const ends = new Array<number>(rank).fill(0);
      axes.forEach((a, i) => {
        [begins[a], ends[a]] = padding[i] as [number, number];
      });
      const pads = graph.addInt64Initializer(`${layer.name}/pads`, [2 * rank], [...begins, ...ends]);
      out = graph.addNode('Pad', [name, pads], { mode: { string: 'constant' } }, layer.name);
    } else {
      const cropping = config.pairs('cropping', n);
      out = slice(
        graph,
        layer.name,
        name,
        cropping.map(([begin]) => begin),
        cropping.map(([, end]) => (end === 0 ? TO_END : -end)),
        axes,
      );
    }
    return graph.value(args.outputShape, layout, out);
  },
};

/** The data in its current layout and where the `n` spatial axes sit in it. */
function spatialAxes(
  args: ConvertArgs,
  n: number,
  dataFormat: DataFormat,
): { name: string; layout: Layout; axes: number[] } {
  const input = single(args);
  const rank = input.shape.length;
  if (dataFormat === 'channelsFirst') {
    // tfjs holds NC… data; our tag for "as tfjs holds it" is channelsLast.
    return {
      name: args.graph.in(input, 'channelsLast'),
      layout: 'channelsLast',
      axes: range1(n).map((i) => i + 1),
    };
  }
  const { name, layout } = args.graph.native(input);
  return { name, layout, axes: range1(n).map((i) => mapAxis(i, rank, layout)) };
}

function range1(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/**
 * tfjs UpSampling2D resizes with align_corners = half_pixel_centers = false: source = floor(dst / size) for
 * nearest (= Keras's repeat-elements) and dst / size for bilinear, i.e. ONNX 'asymmetric' coordinates.
 */
function upSampling(args: ConvertArgs, n: number, dataFormat: DataFormat) {
  const { graph, layer, config } = args;
  const size = config.numbers('size', n, Array(n).fill(2));
  const interpolation = config.oneOf(
    'interpolation',
    n === 2 ? ['nearest', 'bilinear'] : ['nearest'],
    'nearest',
  );
  const { input, layout } = channelsFirstInput(args, dataFormat);
  const scales = graph.addFloatInitializer(
    `${layer.name}/scales`,
    [n + 2],
    new Float32Array([1, 1, ...size]),
  );
  const attrs: Record<string, AttributeValue> =
    interpolation === 'nearest'
      ? { mode: { string: 'nearest' }, nearest_mode: { string: 'floor' } }
      : { mode: { string: 'linear' } };
  const out = graph.addNode(
    'Resize',
    [input, '', scales],
    { ...attrs, coordinate_transformation_mode: { string: 'asymmetric' } },
    layer.name,
  );
  return graph.value(args.outputShape, layout, out);
}
