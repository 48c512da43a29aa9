import { applyActivation } from '../activations.js';
import { unsupportedOption } from '../errors.js';
import type { AttributeValue } from '../graph.js';
import type { LayerConfig, WeightData } from '../layer-config.js';
import { range } from '../layout.js';
import { channelsFirstInput, type DataFormat, type PaddingMode, windowInput } from '../padding.js';
import { transposeData } from '../tensor-data.js';
import type { ConvertArgs, ConverterFamily } from './types.js';

const SPATIAL_RANK: Record<string, number> = {
  Conv1D: 1,
  Conv2D: 2,
  Conv3D: 3,
  DepthwiseConv2D: 2,
  SeparableConv2D: 2,
  Conv2DTranspose: 2,
  Conv3DTranspose: 3,
};

const CONV_OPTIONS = 'padding valid/same, strides, dilationRate, useBias, fused activation';
const TRANSPOSE_OPTIONS =
  'padding valid/same, strides, useBias, fused activation, dataFormat (tfjs has no dilation here)';

/**
 * Convolutions → Conv / ConvTranspose on NC… data. Kernels: tfjs [k…, in, out] → ONNX [out, in, k…];
 * depthwise [k…, in, multiplier] → [in·multiplier, 1, k…] with group = in; transposed [k…, out, in] → [in, out, k…].
 */
export const convolutionConverter: ConverterFamily = {
  classNames: Object.keys(SPATIAL_RANK),
  doc: { onnx: 'Conv', options: '' },
  classDocs: {
    Conv1D: { onnx: 'Conv', options: CONV_OPTIONS },
    Conv2D: { onnx: 'Conv', options: `${CONV_OPTIONS}, dataFormat` },
    Conv3D: { onnx: 'Conv', options: `${CONV_OPTIONS}, dataFormat` },
    DepthwiseConv2D: {
      onnx: 'Conv (group = channels)',
      options:
        'padding, strides, depthMultiplier, useBias, activation, dataFormat; dilationRate ignored, as tfjs 4.22 does',
    },
    SeparableConv2D: {
      onnx: 'Conv (depthwise) → Conv (1×1)',
      options: `${CONV_OPTIONS}, depthMultiplier, dataFormat`,
    },
    Conv2DTranspose: { onnx: 'ConvTranspose', options: TRANSPOSE_OPTIONS },
    Conv3DTranspose: {
      onnx: 'ConvTranspose',
      options: `${TRANSPOSE_OPTIONS}; refused: 'same' with a kernel smaller than its stride (tfjs 4.22 shifts those windows)`,
    },
  },
  convert(args) {
    const { graph, layer, config } = args;
    const n = SPATIAL_RANK[layer.className] as number;
    const dataFormat = config.oneOf<DataFormat>(
      'dataFormat',
      ['channelsLast', 'channelsFirst'],
      'channelsLast',
    );
    if (config.has('groups') && config.number('groups') !== 1) {
      throw unsupportedOption(layer, 'groups', String(config.number('groups')));
    }
    const out = layer.className.endsWith('Transpose')
      ? convTranspose(args, n, dataFormat)
      : convolution(args, n, dataFormat);
    const value = graph.value(args.outputShape, out.layout, out.name);
    return applyActivation(graph, layer, config.string('activation', 'linear'), value);
  },
};

interface Window {
  kernelShape: number[];
  strides: number[];
  dilations: number[];
  padding: PaddingMode;
}

/** tfjs 4.22's DepthwiseConv2D layer passes no dilation to its op (Keras would dilate): we export what tfjs computes. */
function windowOf(config: LayerConfig, n: number, className: string): Window {
  const ones = Array<number>(n).fill(1);
  return {
    kernelShape: config.numbers('kernelSize', n),
    strides: config.numbers('strides', n, ones),
    dilations: className === 'DepthwiseConv2D' ? ones : config.numbers('dilationRate', n, ones),
    padding: config.oneOf<PaddingMode>('padding', ['valid', 'same'], 'valid'),
  };
}

function convolution(args: ConvertArgs, n: number, dataFormat: DataFormat) {
  const { layer, config, weights } = args;
  const w = windowOf(config, n, layer.className);
  const { input, attrs, layout } = windowInput(
    args,
    w.padding,
    w.kernelShape,
    w.strides,
    w.dilations,
    dataFormat,
  );
  const bias = config.boolean('useBias', true) ? weights.required('bias') : undefined;
  const attributes = (group: number): Record<string, AttributeValue> => ({
    kernel_shape: w.kernelShape,
    strides: w.strides,
    dilations: w.dilations,
    ...attrs,
    group,
  });
  const base = layer.name;
  if (layer.className === 'Conv1D' || layer.className === 'Conv2D' || layer.className === 'Conv3D') {
    const kernel = kernelInitializer(args, 'kernel', weights.required('kernel'), [n + 1, n, ...range(0, n)]);
    return { name: conv(args, [input, kernel], bias, attributes(1), base), layout };
  }
  // Depthwise: output channel c·multiplier + m reads input channel c with kernel [k…, c, m].
  const depthwise = weights.required('depthwise_kernel');
  const channels = depthwise.shape[n] as number;
  const flat = {
    shape: [...depthwise.shape.slice(0, n), channels * (depthwise.shape[n + 1] as number), 1],
    data: depthwise.data,
  };
  const dw = kernelInitializer(args, 'depthwise_kernel', flat, [n, n + 1, ...range(0, n)]);
  if (layer.className === 'DepthwiseConv2D') {
    return { name: conv(args, [input, dw], bias, attributes(channels), base), layout };
  }
  const spread = conv(args, [input, dw], undefined, attributes(channels), `${base}/depthwise`);
  const pw = kernelInitializer(args, 'pointwise_kernel', weights.required('pointwise_kernel'), [
    n + 1,
    n,
    ...range(0, n),
  ]);
  const ones = Array<number>(n).fill(1);
  const pointwise = {
    kernel_shape: ones,
    strides: ones,
    dilations: ones,
    pads: [...ones, ...ones].fill(0),
    group: 1,
  };
  return { name: conv(args, [spread, pw], bias, pointwise, base), layout };
}

/**
 * tfjs Conv{2,3}DTranspose runs the gradient of a forward conv over the output size (in·stride for 'same',
 * in·stride + max(k − stride, 0) for 'valid'). The ONNX equivalent: pads = that forward conv's padding, and
 * output_padding = max(0, stride − k), which is independent of the input size.
 */
function convTranspose(args: ConvertArgs, n: number, dataFormat: DataFormat) {
  const { graph, layer, config, weights } = args;
  const w = windowOf(config, n, layer.className);
  const { input, layout } = channelsFirstInput(args, dataFormat);
  const begins: number[] = [];
  const ends: number[] = [];
  w.kernelShape.forEach((k, i) => {
    const s = w.strides[i] as number;
    const total = w.padding === 'same' ? k - s : 0;
    if (total < 0 && n === 3) {
      // tfjs 4.22's 3D padding is not clamped here: the windows shift by the negative half (see padding.ts).
      throw unsupportedOption(
        layer,
        'kernelSize',
        `${k} smaller than its stride ${s} with padding 'same' (3D)`,
      );
    }
    const clamped = Math.max(0, total);
    begins.push(Math.floor(clamped / 2));
    ends.push(clamped - Math.floor(clamped / 2));
  });
  const kernel = kernelInitializer(args, 'kernel', weights.required('kernel'), [n + 1, n, ...range(0, n)]);
  const bias = config.boolean('useBias', true) ? weights.required('bias') : undefined;
  const attributes = {
    kernel_shape: w.kernelShape,
    strides: w.strides,
    pads: [...begins, ...ends],
    output_padding: w.kernelShape.map((k, i) => Math.max(0, (w.strides[i] as number) - k)),
    group: 1,
  };
  const inputs = [input, kernel];
  if (bias !== undefined) inputs.push(graph.addFloatInitializer(`${layer.name}/bias`, bias.shape, bias.data));
  return { name: graph.addNode('ConvTranspose', inputs, attributes, layer.name), layout };
}

function kernelInitializer(
  args: ConvertArgs,
  name: string,
  kernel: WeightData,
  perm: readonly number[],
): string {
  return args.graph.addFloatInitializer(
    `${args.layer.name}/${name}`,
    perm.map((p) => kernel.shape[p] as number),
    transposeData(kernel.data, kernel.shape, perm),
  );
}

function conv(
  args: ConvertArgs,
  inputs: string[],
  bias: WeightData | undefined,
  attributes: Record<string, AttributeValue>,
  base: string,
): string {
  const all =
    bias === undefined
      ? inputs
      : [...inputs, args.graph.addFloatInitializer(`${args.layer.name}/bias`, bias.shape, bias.data)];
  return args.graph.addNode('Conv', all, attributes, base);
}
