// tfjs activation names → ONNX nodes, applied in whatever layout the value already has.
import { type LayerRef, unsupportedOption } from './errors.js';
import type { GraphBuilder, Value } from './graph.js';
import { mapAxis } from './layout.js';

type Emit = (graph: GraphBuilder, input: string, axis: number, base: string) => string;

const unary =
  (op: string, attrs: Record<string, { float: number }> = {}): Emit =>
  (graph, input, _axis, base) =>
    graph.addNode(op, [input], attrs, base);

const ACTIVATIONS: Record<string, Emit> = {
  relu: unary('Relu'),
  relu6: (graph, input, _axis, base) => {
    const min = graph.addFloatInitializer(`${base}/min`, [], new Float32Array([0]));
    const max = graph.addFloatInitializer(`${base}/max`, [], new Float32Array([6]));
    return graph.addNode('Clip', [input, min, max], {}, base);
  },
  elu: unary('Elu', { alpha: { float: 1 } }),
  selu: unary('Selu'),
  sigmoid: unary('Sigmoid'),
  // tfjs hardSigmoid: clip(0.2·x + 0.5, 0, 1).
  hardSigmoid: unary('HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } }),
  tanh: unary('Tanh'),
  softplus: unary('Softplus'),
  softsign: unary('Softsign'),
  softmax: (graph, input, axis, base) => graph.addNode('Softmax', [input], { axis }, base),
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
  // tfjs activations that reduce (softmax) work on the last (channel) axis.
  const axis = mapAxis(-1, value.shape.length, layout);
  return graph.value(value.shape, layout, emit(graph, name, axis, `${layer.name}/${activation}`));
}
