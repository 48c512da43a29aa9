import { applyActivation, SUPPORTED_ACTIVATIONS } from '../activations.js';
import { unsupportedOption } from '../errors.js';
import { mapAxis } from '../layout.js';
import { type ConverterFamily, single } from './types.js';

export const activationConverter: ConverterFamily = {
  classNames: ['Activation'],
  doc: { onnx: 'the activation’s nodes', options: `activation: ${SUPPORTED_ACTIVATIONS.join(', ')}` },
  convert(args) {
    return applyActivation(args.graph, args.layer, args.config.string('activation'), single(args));
  },
};

/** Activation layers with their own options; all work in the layout their input already has. */
export const advancedActivationConverter: ConverterFamily = {
  classNames: ['ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'Softmax'],
  doc: { onnx: '', options: '' },
  classDocs: {
    ReLU: { onnx: 'Relu, or Clip with maxValue', options: 'maxValue' },
    LeakyReLU: { onnx: 'LeakyRelu', options: 'alpha' },
    ELU: { onnx: 'Elu', options: 'alpha' },
    ThresholdedReLU: { onnx: 'ThresholdedRelu', options: 'theta' },
    Softmax: {
      onnx: 'Softmax',
      options: 'axis: any feature axis (Keras semantics; tfjs predicts the last only)',
    },
  },
  convert(args) {
    const { graph, layer, config } = args;
    const input = single(args);
    const { name, layout } = graph.native(input);
    let out: string;
    switch (layer.className) {
      case 'ReLU': {
        if (!config.has('maxValue')) {
          out = graph.addNode('Relu', [name], {}, layer.name);
          break;
        }
        const min = graph.addFloatInitializer(`${layer.name}/min`, [], new Float32Array([0]));
        const max = graph.addFloatInitializer(
          `${layer.name}/max`,
          [],
          new Float32Array([config.number('maxValue')]),
        );
        out = graph.addNode('Clip', [name, min, max], {}, layer.name);
        break;
      }
      case 'LeakyReLU':
        out = graph.addNode(
          'LeakyRelu',
          [name],
          { alpha: { float: config.number('alpha', 0.3) } },
          layer.name,
        );
        break;
      case 'ELU':
        out = graph.addNode('Elu', [name], { alpha: { float: config.number('alpha', 1) } }, layer.name);
        break;
      case 'ThresholdedReLU':
        out = graph.addNode(
          'ThresholdedRelu',
          [name],
          { alpha: { float: config.number('theta', 1) } },
          layer.name,
        );
        break;
      default: {
        // tfjs's default axis is 1 (Keras: -1). tfjs 4.22 predicts along the last axis only (others throw);
        // ONNX Softmax takes any axis, with Keras's meaning.
        const rank = input.shape.length;
        const axis = config.number('axis', 1);
        if (!Number.isInteger(axis) || axis < -rank || axis >= rank || axis === 0 || axis === -rank) {
          throw unsupportedOption(layer, 'axis', `${axis} (not a feature axis of a rank-${rank} input)`);
        }
        out = graph.addNode('Softmax', [name], { axis: mapAxis(axis, rank, layout) }, layer.name);
      }
    }
    return graph.value(args.outputShape, layout, out);
  },
};
