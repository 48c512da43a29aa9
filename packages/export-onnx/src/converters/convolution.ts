import { applyActivation } from '../activations.js';
import { unsupportedOption } from '../errors.js';
import { range } from '../layout.js';
import { windowInput } from '../padding.js';
import { transposeData } from '../tensor-data.js';
import type { Converter } from './types.js';

const SPATIAL_RANK: Record<string, number> = { Conv2D: 2, Conv3D: 3 };

/** Conv2D/Conv3D → Conv on channels-first data; the kernel [k…, in, out] becomes [out, in, k…]. */
export const convolutionConverter: Converter = {
  classNames: Object.keys(SPATIAL_RANK),
  doc: {
    onnx: 'Conv (+ activation)',
    options: 'padding valid/same, strides, dilationRate, useBias, fused activation; channelsLast only',
  },
  convert(args) {
    const { graph, layer, config, weights } = args;
    const n = SPATIAL_RANK[layer.className] as number;
    config.oneOf('dataFormat', ['channelsLast'], 'channelsLast');
    const padding = config.oneOf('padding', ['valid', 'same']);
    const kernelShape = config.numbers('kernelSize', n);
    const strides = config.numbers('strides', n, Array(n).fill(1));
    const dilations = config.numbers('dilationRate', n, Array(n).fill(1));
    if (config.has('groups') && config.number('groups') !== 1) {
      throw unsupportedOption(layer, 'groups', String(config.number('groups')));
    }
    const kernel = weights.required('kernel');
    const perm = [n + 1, n, ...range(0, n)];
    const w = graph.addFloatInitializer(
      `${layer.name}/kernel`,
      perm.map((p) => kernel.shape[p] as number),
      transposeData(kernel.data, kernel.shape, perm),
    );
    const { input: x, pads } = windowInput(args, padding, kernelShape, strides, dilations);
    const inputs = [x, w];
    const bias = config.boolean('useBias', true) ? weights.required('bias') : undefined;
    if (bias !== undefined)
      inputs.push(graph.addFloatInitializer(`${layer.name}/bias`, bias.shape, bias.data));
    const out = graph.addNode(
      'Conv',
      inputs,
      { kernel_shape: kernelShape, strides, dilations, pads, group: 1 },
      layer.name,
    );
    const value = graph.value(args.outputShape, 'channelsFirst', out);
    return applyActivation(graph, layer, config.string('activation', 'linear'), value);
  },
};
