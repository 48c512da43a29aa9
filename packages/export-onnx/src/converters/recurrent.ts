// SimpleRNN, GRU, LSTM and the generic RNN layer (SimpleRNNCell, GRUCell, LSTMCell, StackedRNNCells) → ONNX
// RNN / GRU / LSTM, whose equations are Keras's once the gates are reordered; a Scan of the cells' steps where a
// mask or an activation needs it (recurrent-scan.ts). The time axis stays symbolic either way.
import { type LayerRef, unsupportedOption } from '../errors.js';
import type { GraphBuilder, Value } from '../graph.js';
import type { LayerConfig, WeightData } from '../layer-config.js';
import { transposeData } from '../tensor-data.js';
import { scanRecurrent } from './recurrent-scan.js';
import { type ConverterFamily, single } from './types.js';

/** tfjs activations ONNX's recurrent ops take by name (alpha/beta as tfjs computes them). */
const CELL_ACTIVATIONS: Record<string, { name: string; alpha?: number; beta?: number }> = {
  linear: { name: 'Affine', alpha: 1, beta: 0 },
  relu: { name: 'Relu' },
  tanh: { name: 'Tanh' },
  sigmoid: { name: 'Sigmoid' },
  hardSigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  elu: { name: 'Elu', alpha: 1 },
  softsign: { name: 'Softsign' },
  softplus: { name: 'Softplus' },
};

export const RECURRENT_CELL_ACTIVATIONS: readonly string[] = Object.keys(CELL_ACTIVATIONS);

type CellClass = 'SimpleRNNCell' | 'GRUCell' | 'LSTMCell';

export interface Cell {
  className: CellClass;
  config: LayerConfig;
  kernel: WeightData;
  recurrent: WeightData;
  bias: WeightData | undefined;
}

const LAYER_CELLS: Record<string, CellClass> = {
  SimpleRNN: 'SimpleRNNCell',
  GRU: 'GRUCell',
  LSTM: 'LSTMCell',
};

/** ONNX op, gate count, and the order of Keras's gate blocks in ONNX's (LSTM: Keras i,f,c,o → ONNX i,o,f,c). */
const CELL_OPS: Record<CellClass, { op: string; gates: number[] }> = {
  SimpleRNNCell: { op: 'RNN', gates: [0] },
  GRUCell: { op: 'GRU', gates: [0, 1, 2] },
  LSTMCell: { op: 'LSTM', gates: [0, 3, 1, 2] },
};

/** The cells of a recurrent layer (SimpleRNN/GRU/LSTM, or RNN with a cell or StackedRNNCells), weights attached. */
function cellsOf(
  layer: LayerRef,
  className: string,
  config: LayerConfig,
  weights: readonly WeightData[],
): Cell[] {
  let specs: { className: string; config: LayerConfig }[];
  const own = LAYER_CELLS[className];
  if (own !== undefined) specs = [{ className: own, config }];
  else {
    const cell = config.nested('cell');
    specs = cell.className === 'StackedRNNCells' ? cell.config.nestedList('cells') : [cell];
  }
  const queue = [...weights];
  return specs.map(({ className: cellClass, config: cellConfig }) => {
    if (!(cellClass in CELL_OPS)) throw unsupportedOption(layer, 'cell', `'${cellClass}'`);
    if (cellConfig.boolean('resetAfter', false)) {
      throw unsupportedOption(
        layer,
        'resetAfter',
        'true (tfjs 4.22 cannot run it, so there is no reference)',
      );
    }
    const [kernel, recurrent] = queue.splice(0, 2);
    if (kernel === undefined || recurrent === undefined) throw unsupportedOption(layer, 'weights', 'missing');
    const bias = cellConfig.boolean('useBias', true) ? queue.shift() : undefined;
    return { className: cellClass as CellClass, config: cellConfig, kernel, recurrent, bias };
  });
}

export interface RecurrentCall {
  graph: GraphBuilder;
  layer: LayerRef;
  className: string;
  config: LayerConfig;
  weights: readonly WeightData[];
  input: Value;
}

/** A recurrent layer's output and, for returnState, its final states in tfjs's order. */
export interface RecurrentResult {
  output: Value;
  /** Last cell first (StackedRNNCells' order), each cell's h then (LSTM) c; [N, units] each. */
  states: Value[];
}

/**
 * A recurrent layer on `input` [N, T, F]: [N, T, H] with returnSequences (in processing order, so reversed when
 * goBackwards, as tfjs returns it), else the last output [N, H]; and the final states.
 */
export function convertRecurrent({
  graph,
  layer,
  className,
  config,
  weights,
  input,
}: RecurrentCall): RecurrentResult {
  if (config.boolean('stateful', false)) throw unsupportedOption(layer, 'stateful', 'true');
  const cells = cellsOf(layer, className, config, weights);
  const returnSequences = config.boolean('returnSequences', false);
  const goBackwards = config.boolean('goBackwards', false);
  const units = cells[cells.length - 1]?.config.number('units') ?? 0;
  const shape = returnSequences ? [null, input.shape[1] ?? null, units] : [null, units];
  const stateValue = (name: string, cell: Cell) =>
    graph.value([null, cell.config.number('units')], 'channelsLast', name);
  /** Per-cell state names (cell order) → tfjs's order, last cell first. */
  const inTfjsOrder = (perCell: string[][]) =>
    perCell
      .map((names, i) => names.map((name) => stateValue(name, cells[i] as Cell)))
      .reverse()
      .flat();
  if (input.mask !== undefined || !cells.every(nativeActivations)) {
    const scanned = scanRecurrent({
      graph,
      layer,
      cells,
      input: graph.in(input, 'channelsLast'),
      mask: input.mask,
      goBackwards,
      returnSequences,
    });
    const output = graph.value(shape, 'channelsLast', scanned.output);
    // tfjs hands the mask on with the sequence (RNN.computeMask).
    if (returnSequences && input.mask !== undefined) output.mask = input.mask;
    return { output, states: inTfjsOrder(scanned.states) };
  }
  const base = layer.name;
  // ONNX's recurrent ops are time-major ([T, N, F]); onnxruntime refuses their batch-major `layout` 1.
  let sequence = graph.addNode(
    'Transpose',
    [graph.in(input, 'channelsLast')],
    { perm: [1, 0, 2] },
    `${base}/time_major`,
  );
  if (goBackwards) sequence = reverseAxis(graph, sequence, 0, `${base}/reversed`);
  const wantStates = config.boolean('returnState', false);
  const states: string[][] = [];
  let last = '';
  cells.forEach((cell, i) => {
    const final = i === cells.length - 1;
    const cellBase = cells.length === 1 ? base : `${base}/cell_${i}`;
    const outputs = emitCell(graph, cell, sequence, cellBase, !final || returnSequences, final || wantStates);
    if (outputs.sequence !== undefined)
      sequence = squeeze(graph, outputs.sequence, 1, `${cellBase}/sequence`);
    const finals = outputs.states.map((name, k) => squeeze(graph, name, 0, `${cellBase}/state_${k}`));
    if (final) last = finals[0] ?? '';
    states.push(finals);
  });
  const out = returnSequences ? graph.addNode('Transpose', [sequence], { perm: [1, 0, 2] }, base) : last;
  return { output: graph.value(shape, 'channelsLast', out), states: wantStates ? inTfjsOrder(states) : [] };
}

/** The cell's activations names ONNX's RNN/GRU/LSTM take. */
function nativeActivations(cell: Cell): boolean {
  const names = [cell.config.string('activation', 'tanh')];
  if (cell.className !== 'SimpleRNNCell')
    names.push(cell.config.string('recurrentActivation', 'hardSigmoid'));
  return names.every((name) => name in CELL_ACTIVATIONS);
}

/**
 * One ONNX RNN/GRU/LSTM node over time-major `sequence`: Y ([T, 1, N, H]) when wanted, and the final states
 * (Y_h, and Y_c for LSTM; [1, N, H]) when wanted.
 */
function emitCell(
  graph: GraphBuilder,
  cell: Cell,
  sequence: string,
  base: string,
  wantSequence: boolean,
  wantStates: boolean,
): { sequence: string | undefined; states: string[] } {
  const { op, gates } = CELL_OPS[cell.className];
  const units = cell.config.number('units');
  const activation = cell.config.string('activation', 'tanh');
  const names =
    cell.className === 'SimpleRNNCell'
      ? [activation]
      : [cell.config.string('recurrentActivation', 'hardSigmoid'), activation];
  if (cell.className === 'LSTMCell') names.push(activation);
  // nativeActivations() checked every name.
  const activations = names.map((name) => CELL_ACTIVATIONS[name] as (typeof CELL_ACTIVATIONS)[string]);
  const w = graph.addFloatInitializer(
    `${base}/W`,
    [1, gates.length * units, cell.kernel.shape[0] as number],
    gateRows(cell.kernel, gates, units),
  );
  const r = graph.addFloatInitializer(
    `${base}/R`,
    [1, gates.length * units, units],
    gateRows(cell.recurrent, gates, units),
  );
  const inputs = [sequence, w, r];
  if (cell.bias !== undefined) {
    // ONNX adds an input bias and a recurrent bias; Keras has one, so the recurrent half is zero.
    const data = new Float32Array(2 * gates.length * units);
    data.set(reorderBlocks(cell.bias.data, gates, units));
    inputs.push(graph.addFloatInitializer(`${base}/B`, [1, data.length], data));
  }
  const attrs: Record<string, number | { strings: string[] } | { floats: number[] }> = {
    hidden_size: units,
    activations: { strings: activations.map((a) => a.name) },
  };
  const alphas = activations.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha]));
  const betas = activations.flatMap((a) => (a.beta === undefined ? [] : [a.beta]));
  if (alphas.length > 0) attrs.activation_alpha = { floats: alphas };
  if (betas.length > 0) attrs.activation_beta = { floats: betas };
  // tfjs's GRU applies the reset gate before the recurrent matmul (Keras reset_after=false).
  if (cell.className === 'GRUCell') attrs.linear_before_reset = 0;
  const stateBases = cell.className === 'LSTMCell' ? [`${base}/Y_h`, `${base}/Y_c`] : [`${base}/Y_h`];
  const [y, ...states] = graph.addMultiOutputNode(op, inputs, attrs, [
    wantSequence ? `${base}/Y` : '',
    ...(wantStates ? stateBases : []),
  ]);
  return { sequence: wantSequence ? y : undefined, states };
}

/** A Keras [in, gates·units] matrix as ONNX's [gates·units, in] rows, gate blocks in ONNX order. */
function gateRows(weight: WeightData, gates: readonly number[], units: number): Float32Array {
  const [rows, cols] = weight.shape as [number, number];
  return reorderBlocks(transposeData(weight.data, [rows, cols], [1, 0]), gates, units * rows);
}

/** Reorders consecutive blocks of `size` values: block i of the result is block gates[i] of `data`. */
function reorderBlocks(data: Float32Array, gates: readonly number[], size: number): Float32Array {
  const out = new Float32Array(gates.length * size);
  gates.forEach((g, i) => {
    out.set(data.subarray(g * size, (g + 1) * size), i * size);
  });
  return out;
}

function squeeze(graph: GraphBuilder, input: string, axis: number, base: string): string {
  return graph.addNode('Squeeze', [input, graph.addInt64Initializer(`${base}/axes`, [1], [axis])], {}, base);
}

/** `input` reversed along `axis` (a Slice with step −1, so any length, also a symbolic one). */
export function reverseAxis(graph: GraphBuilder, input: string, axis: number, base: string): string {
  const int64 = (suffix: string, v: number) => graph.addInt64Initializer(`${base}/${suffix}`, [1], [v]);
  return graph.addNode(
    'Slice',
    [input, int64('starts', -1), int64('ends', -(2 ** 63)), int64('axes', axis), int64('steps', -1)],
    {},
    base,
  );
}

const SCAN_FALLBACK = `native ops for (recurrent) activations ${RECURRENT_CELL_ACTIVATIONS.join('/')}, else a Scan over the steps (also for input masks)`;
const COMMON_OPTIONS =
  'returnSequences, returnState, goBackwards, useBias, input masks; symbolic time axis; refused: stateful';

export const recurrentConverter: ConverterFamily = {
  classNames: ['SimpleRNN', 'GRU', 'LSTM', 'RNN'],
  doc: {
    onnx: 'RNN / GRU / LSTM (time-major, gates reordered; Slice step −1 for goBackwards), else Scan over the steps',
    options: `${COMMON_OPTIONS}; ${SCAN_FALLBACK}`,
  },
  classDocs: {
    SimpleRNN: {
      onnx: 'RNN (time-major; Slice step −1 for goBackwards), or Scan',
      options: `${COMMON_OPTIONS}; ${SCAN_FALLBACK}`,
    },
    GRU: {
      onnx: 'GRU (linear_before_reset 0, gates z, r, h as Keras), or Scan',
      options: `${COMMON_OPTIONS}; ${SCAN_FALLBACK}; refused: resetAfter true (tfjs 4.22 throws on it too)`,
    },
    LSTM: {
      onnx: 'LSTM (gates reordered i, f, c, o → i, o, f, c), or Scan',
      options: `${COMMON_OPTIONS}; ${SCAN_FALLBACK}`,
    },
    RNN: {
      onnx: 'one RNN / GRU / LSTM per cell, or Scan',
      options: `cells SimpleRNNCell/GRUCell/LSTMCell/StackedRNNCells; ${COMMON_OPTIONS}; ${SCAN_FALLBACK}`,
    },
  },
  consumesMasks: true,
  convert(args) {
    const { output, states } = convertRecurrent({
      graph: args.graph,
      layer: args.layer,
      className: args.layer.className,
      config: args.config,
      weights: args.weights.list,
      input: single(args),
    });
    return args.config.boolean('returnState', false) ? [output, ...states] : output;
  },
};
