// tfjs activation names → ONNX nodes, applied in whatever layout the value already has.
import { type LayerRef, unsupportedOption } from './errors.js';
import type { GraphBuilder, Value } from './graph.js';
import { mapAxis } from './layout.js';

type Emit = (graph: GraphBuilder, input: string, axis: number, base: string) => string;

const unary =
  (op: string, attrs: Record<string, { float: number }> = {}): Emit =>
  (graph, input, _axis, base) =>
    graph.addNode(op, [input], attrs, base);

const scalar = (graph: GraphBuilder, base: string, value: number) =>
  graph.addFloatInitializer(base, [], new Float32Array([value]));

const ACTIVATIONS: Record<string, Emit> = {
  relu: unary('Relu'),
  relu6: (graph, input, _axis, base) =>
    graph.addNode(
      'Clip',
      [input, scalar(graph, `${base}/min`, 0), scalar(graph, `${base}/max`, 6)],
      {},
      base,
    ),
  elu: unary('Elu', { alpha: { float: 1 } }),
  selu: unary('Selu'),
  sigmoid: unary('Sigmoid'),
  // tfjs hardSigmoid: clip(0.2·x + 0.5, 0, 1).
  hardSigmoid: unary('HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } }),
  tanh: unary('Tanh'),
  softplus: unary('Softplus'),
  softsign: unary('Softsign'),
  softmax: (graph, input, axis, base) => graph.addNode('Softmax', [input], { axis }, base),
  logSoftmax: (graph, input, axis, base) => graph.addNode('LogSoftmax', [input], { axis }, base),
  // tfjs gelu: x · 0.5 · (1 + erf(x / √2)); opset 17 has Erf but no Gelu.
  gelu: (graph, input, _axis, base) => {
    const scaled = graph.addNode(
      'Div',
      [input, scalar(graph, `${base}/sqrt2`, Math.SQRT2)],
      {},
      `${base}/div`,
    );
    const erf = graph.addNode('Erf', [scaled], {}, `${base}/erf`);
    const shifted = graph.addNode('Add', [erf, scalar(graph, `${base}/one`, 1)], {}, `${base}/add`);
    const half = graph.addNode('Mul', [shifted, scalar(graph, `${base}/half`, 0.5)], {}, `${base}/cdf`);
    return graph.addNode('Mul', [input, half], {}, base);
  },
  // tfjs gelu_new: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
  gelu_new: (graph, input, _axis, base) => {
    const square = graph.addNode('Mul', [input, input], {}, `${base}/square`);
    const cube = graph.addNode('Mul', [square, input], {}, `${base}/cube`);
    const term = graph.addNode('Mul', [cube, scalar(graph, `${base}/c`, 0.044715)], {}, `${base}/term`);
    const inner = graph.addNode('Add', [input, term], {}, `${base}/inner`);
    const scaled = graph.addNode(
      'Mul',
      [inner, scalar(graph, `${base}/k`, Math.sqrt(2 / Math.PI))],
      {},
      `${base}/scaled`,
    );
    const tanh = graph.addNode('Tanh', [scaled], {}, `${base}/tanh`);
    const shifted = graph.addNode('Add', [tanh, scalar(graph, `${base}/one`, 1)], {}, `${base}/add`);
    const half = graph.addNode('Mul', [input, scalar(graph, `${base}/half`, 0.5)], {}, `${base}/half_x`);
    return graph.addNode('Mul', [half, shifted], {}, base);
  },
  swish: (graph, input, _axis, base) => {
    const gate = graph.addNode('Sigmoid', [input], {}, `${base}/sigmoid`);
    return graph.addNode('Mul', [input, gate], {}, base);
  },
  mish: (graph, input, _axis, base) => {
    const softplus = graph.addNode('Softplus', [input], {}, `${base}/softplus`);
    const tanh = graph.addNode('Tanh', [softplus], {}, `${base}/tanh`);
    return graph.addNode('Mul', [input, tanh], {}, base);
  },
};

export const SUPPORTED_ACTIVATIONS: readonly string[] = ['linear', ...Object.keys(ACTIVATIONS)];

/** Applies a tfjs activation (`option` names the config key in errors). `linear` adds nothing. */
export function applyActivation(
  graph: GraphBuilder,
  layer: LayerRef,
  activation: string,
  value: Value,
  option = 'activation',
): Value {
  if (activation === 'linear') return value;
  const emit = ACTIVATIONS[activation];
  if (emit === undefined) throw unsupportedOption(layer, option, `'${activation}'`);
  const { name, layout } = graph.native(value);
  // tfjs activations that reduce (softmax, logSoftmax) work on the last (channel) axis.
  const axis = mapAxis(-1, value.shape.length, layout);
  return graph.value(value.shape, layout, emit(graph, name, axis, `${layer.name}/${activation}`));
}
