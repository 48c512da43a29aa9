// ConvLSTM2D → a Scan over the time axis whose body is tfjs's ConvLSTM2DCell step: four input Convs (strides,
// dilations, the layer's padding) and four recurrent Convs ('same', stride 1), states kept channels-first.
import { applyActivation } from '../activations.js';
import { unsupportedOption } from '../errors.js';
import { GraphBuilder } from '../graph.js';
import type { WeightData } from '../layer-config.js';
import { windowPadding } from '../padding.js';
import { transposeData } from '../tensor-data.js';
import { tensorInfo, zeroStates } from './recurrent-scan.js';
import { type ConverterFamily, single } from './types.js';

/** Gate g's slice of a tfjs [kh, kw, in, 4·filters] kernel as ONNX Conv weights [filters, in, kh, kw]. */
function gateKernel(
  weight: WeightData,
  gate: number,
  filters: number,
): { dims: number[]; data: Float32Array } {
  const [kh, kw, channels] = weight.shape as [number, number, number, number];
  const all = transposeData(weight.data, weight.shape, [3, 2, 0, 1]);
  const size = filters * channels * kh * kw;
  return { dims: [filters, channels, kh, kw], data: all.slice(gate * size, (gate + 1) * size) };
}

export const convLstm2dConverter: ConverterFamily = {
  classNames: ['ConvLSTM2D'],
  doc: {
    onnx: 'Scan over time; body: Conv ×8, Add, the activations, Mul',
    options:
      'filters, kernelSize, strides, dilationRate, padding valid/same, useBias, (recurrent) activation, returnSequences, goBackwards, returnState; channelsLast; a null time axis stays symbolic; the frame size is fixed (free sizes keep the saved ones)',
  },
  convert(args) {
    const { graph, layer, config, weights } = args;
    const input = single(args);
    if (config.boolean('stateful', false)) throw unsupportedOption(layer, 'stateful', 'true');
    config.oneOf('dataFormat', ['channelsLast'], 'channelsLast');
    const padding = config.oneOf('padding', ['valid', 'same'], 'valid');
    const returnSequences = config.boolean('returnSequences', false);
    const kernelSize = config.numbers('kernelSize', 2);
    const strides = config.numbers('strides', 2, [1, 1]);
    const dilations = config.numbers('dilationRate', 2, [1, 1]);
    const filters = config.number('filters');
    graph.requireFixedSize(layer, 'sizes its Scan states from the frame H and W');
    const frame = [null, ...input.shape.slice(2)];
    const outFrame = returnSequences ? args.outputShape.slice(2, 4) : args.outputShape.slice(1, 3);
    if (!outFrame.every((d) => typeof d === 'number')) {
      throw unsupportedOption(layer, 'frame size', `${JSON.stringify(input.shape)} (needs fixed H, W)`);
    }
    const [outH, outW] = outFrame as [number, number];
    const inputPads = windowPadding(layer, frame, padding, kernelSize, strides, dilations).pads;
    const recurrentPads = windowPadding(
      layer,
      [null, outH, outW, filters],
      'same',
      kernelSize,
      [1, 1],
      [1, 1],
    ).pads;
    const kernel = weights.required('kernel');
    const recurrent = weights.required('recurrent_kernel');
    const bias = config.boolean('useBias', true) ? weights.required('bias') : undefined;
    const activation = config.string('activation', 'tanh');
    const recurrentActivation = config.string('recurrentActivation', 'hardSigmoid');

    const base = layer.name;
    const prefix = `${base}/step`;
    const body = new GraphBuilder();
    const hPrev = body.uniqueName(`${prefix}/h_prev`);
    const cPrev = body.uniqueName(`${prefix}/c_prev`);
    const x = body.uniqueName(`${prefix}/x`);
    const gate = (g: number) => {
      const w = gateKernel(kernel, g, filters);
      const inputs = [x, body.addFloatInitializer(`${prefix}/kernel_${g}`, w.dims, w.data)];
      if (bias !== undefined) {
        inputs.push(
          body.addFloatInitializer(
            `${prefix}/bias_${g}`,
            [filters],
            bias.data.slice(g * filters, (g + 1) * filters),
          ),
        );
      }
      const fromInput = body.addNode(
        'Conv',
        inputs,
        { kernel_shape: kernelSize, strides, dilations, pads: inputPads },
        `${prefix}/x_${g}`,
      );
      const r = gateKernel(recurrent, g, filters);
      const fromState = body.addNode(
        'Conv',
        [hPrev, body.addFloatInitializer(`${prefix}/recurrent_kernel_${g}`, r.dims, r.data)],
        { kernel_shape: kernelSize, pads: recurrentPads },
        `${prefix}/h_${g}`,
      );
      return body.addNode('Add', [fromInput, fromState], {}, `${prefix}/z_${g}`);
    };
    const activate = (name: string, option: string, z: string, suffix: string) =>
      body.native(
        applyActivation(
          body,
          { ...layer, name: `${prefix}/${suffix}` },
          name,
          body.value([null, outH, outW, filters], 'channelsFirst', z),
          option,
        ),
      ).name;
    const mul = (a: string, b: string, suffix: string) =>
      body.addNode('Mul', [a, b], {}, `${prefix}/${suffix}`);
    const i = activate(recurrentActivation, 'recurrentActivation', gate(0), 'i');
    const f = activate(recurrentActivation, 'recurrentActivation', gate(1), 'f');
    const candidate = activate(activation, 'activation', gate(2), 'candidate');
    const c = body.addNode('Add', [mul(f, cPrev, 'fc'), mul(i, candidate, 'ic')], {}, `${prefix}/c`);
    const o = activate(recurrentActivation, 'recurrentActivation', gate(3), 'o');
    const h = mul(o, activate(activation, 'activation', c, 'c_act'), 'h');
    const outputs = [h, c, h].map((name, k) => body.addNode('Identity', [name], {}, `${prefix}/out_${k}`));
    const state = ['N', filters, outH, outW] as const;
    const bodyGraph = {
      name: `${base}_step`,
      node: body.nodes,
      initializer: body.initializers,
      input: [
        tensorInfo(hPrev, [...state]),
        tensorInfo(cPrev, [...state]),
        tensorInfo(x, ['N', input.shape[4] as number, input.shape[2] as number, input.shape[3] as number]),
      ],
      output: outputs.map((name) => tensorInfo(name, [...state])),
    };

    // Frames channels-first [N, T, C, H, W]; zero states [N, filters, H', W'] (tfjs's getInitialState).
    const frames = graph.addNode(
      'Transpose',
      [graph.in(input, 'channelsLast')],
      { perm: [0, 1, 4, 2, 3] },
      `${base}/frames`,
    );
    const [initial] = zeroStates(graph, frames, [[filters, outH, outW]], base) as [string];
    const goBackwards = config.boolean('goBackwards', false);
    const [hFinal, cFinal, sequence] = graph.addMultiOutputNode(
      'Scan',
      [initial, initial, frames],
      {
        body: { graph: bodyGraph },
        num_scan_inputs: 1,
        scan_input_axes: [1],
        scan_input_directions: [goBackwards ? 1 : 0],
        scan_output_axes: [1],
      },
      [`${base}/h_final`, `${base}/c_final`, `${base}/sequence`],
    );
    const output = returnSequences
      ? graph.value(
          args.outputShape,
          'channelsLast',
          graph.addNode('Transpose', [sequence as string], { perm: [0, 1, 3, 4, 2] }, base),
        )
      : graph.value(args.outputShape, 'channelsFirst', hFinal as string);
    if (!config.boolean('returnState', false)) return output;
    // tfjs returns [output, h, c]; the states are channels-first here, [N, H', W', filters] in tfjs.
    const stateShape = [null, outH, outW, filters];
    return [
      output,
      graph.value(stateShape, 'channelsFirst', hFinal as string),
      graph.value(stateShape, 'channelsFirst', cFinal as string),
    ];
  },
};
