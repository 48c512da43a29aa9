// Recurrent layers as an ONNX Scan over the time axis, the step written out as tfjs's cells compute it. Used where
// ONNX's RNN/GRU/LSTM cannot say it: a mask (tfjs keeps the previous state on masked steps) or an activation those
// ops do not take. The time axis stays symbolic.
import { applyActivation } from '../activations.js';
import type { LayerRef } from '../errors.js';
import { GraphBuilder, type Value } from '../graph.js';
import type { WeightData } from '../layer-config.js';
import { DataType, type ValueInfoProto } from '../proto/index.js';
import type { Cell } from './recurrent.js';

/** Columns [g·units, (g+1)·units) of a Keras [in, gates·units] matrix: one gate's weights. */
function gateColumns(weight: WeightData, gate: number, units: number): Float32Array {
  const [rows, cols] = weight.shape as [number, number];
  const out = new Float32Array(rows * units);
  for (let r = 0; r < rows; r++) {
    out.set(weight.data.subarray(r * cols + gate * units, r * cols + (gate + 1) * units), r * units);
  }
  return out;
}

interface StepCell {
  cell: Cell;
  units: number;
  /** Body input names of this cell's previous states (h, and c for LSTM). */
  states: string[];
}

/** One tfjs cell step inside the Scan body: returns the cell's output and its new states. */
function emitStep(
  body: GraphBuilder,
  layer: LayerRef,
  { cell, units, states }: StepCell,
  input: string,
  base: string,
): { output: string; states: string[] } {
  const gates = cell.className === 'SimpleRNNCell' ? 1 : cell.className === 'GRUCell' ? 3 : 4;
  const [h] = states as [string];
  const value = (name: string): Value => body.value([null, units], 'channelsLast', name);
  const activate = (name: string, option: string, x: string, suffix: string) =>
    body.native(applyActivation(body, { ...layer, name: `${base}/${suffix}` }, name, value(x), option)).name;
  const activation = cell.config.string('activation', 'tanh');
  const recurrentActivation = cell.config.string('recurrentActivation', 'hardSigmoid');
  /** x·W_g (+ b_g), as tfjs adds the bias to the input projection. */
  const projectInput = (g: number) => {
    const w = body.addFloatInitializer(
      `${base}/kernel_${g}`,
      [cell.kernel.shape[0] as number, units],
      gateColumns(cell.kernel, g, units),
    );
    const product = body.addNode('MatMul', [input, w], {}, `${base}/x_${g}`);
    if (cell.bias === undefined) return product;
    const b = body.addFloatInitializer(
      `${base}/bias_${g}`,
      [units],
      cell.bias.data.slice(g * units, (g + 1) * units),
    );
    return body.addNode('Add', [product, b], {}, `${base}/xb_${g}`);
  };
  const projectState = (g: number, state: string) =>
    body.addNode(
      'MatMul',
      [
        state,
        body.addFloatInitializer(
          `${base}/recurrent_kernel_${g}`,
          [units, units],
          gateColumns(cell.recurrent, g, units),
        ),
      ],
      {},
      `${base}/h_${g}`,
    );
  const add = (a: string, b: string, suffix: string) => body.addNode('Add', [a, b], {}, `${base}/${suffix}`);
  const mul = (a: string, b: string, suffix: string) => body.addNode('Mul', [a, b], {}, `${base}/${suffix}`);
  if (gates === 1) {
    const h1 = activate(activation, 'activation', add(projectInput(0), projectState(0, h), 'sum'), 'out');
    return { output: h1, states: [h1] };
  }
  if (gates === 3) {
    const z = activate(
      recurrentActivation,
      'recurrentActivation',
      add(projectInput(0), projectState(0, h), 'z_in'),
      'z',
    );
    const r = activate(
      recurrentActivation,
      'recurrentActivation',
      add(projectInput(1), projectState(1, h), 'r_in'),
      'r',
    );
    const hh = activate(
      activation,
      'activation',
      add(projectInput(2), projectState(2, mul(r, h, 'rh')), 'hh_in'),
      'hh',
    );
    const one = body.addFloatInitializer(`${base}/one`, [], new Float32Array([1]));
    const keep = body.addNode('Sub', [one, z], {}, `${base}/one_minus_z`);
    const h1 = add(mul(z, h, 'zh'), mul(keep, hh, 'zhh'), 'out');
    return { output: h1, states: [h1] };
  }
  const c = states[1] as string;
  // tfjs: z = x·W + h·U + b, split into i, f, c, o.
  const gate = (g: number) => {
    const x = body.addNode(
      'MatMul',
      [
        input,
        body.addFloatInitializer(
          `${base}/kernel_${g}`,
          [cell.kernel.shape[0] as number, units],
          gateColumns(cell.kernel, g, units),
        ),
      ],
      {},
      `${base}/x_${g}`,
    );
    const sum = add(x, projectState(g, h), `z_${g}`);
    if (cell.bias === undefined) return sum;
    const b = body.addFloatInitializer(
      `${base}/bias_${g}`,
      [units],
      cell.bias.data.slice(g * units, (g + 1) * units),
    );
    return add(sum, b, `zb_${g}`);
  };
  const i = activate(recurrentActivation, 'recurrentActivation', gate(0), 'i');
  const f = activate(recurrentActivation, 'recurrentActivation', gate(1), 'f');
  const candidate = activate(activation, 'activation', gate(2), 'candidate');
  const c1 = add(mul(f, c, 'fc'), mul(i, candidate, 'ic'), 'c');
  const o = activate(recurrentActivation, 'recurrentActivation', gate(3), 'o');
  const h1 = mul(o, activate(activation, 'activation', c1, 'c_act'), 'out');
  return { output: h1, states: [h1, c1] };
}

export function tensorInfo(name: string, dims: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

/** tfjs's initial states: zeros [N, ...dims] for each entry of `dims`, N read from `source` at run time. */
export function zeroStates(
  graph: GraphBuilder,
  source: string,
  dims: readonly number[][],
  base: string,
): string[] {
  const batch = graph.addNode(
    'Slice',
    [
      graph.addNode('Shape', [source], {}, `${base}/shape`),
      graph.addInt64Initializer(`${base}/batch/starts`, [1], [0]),
      graph.addInt64Initializer(`${base}/batch/ends`, [1], [1]),
    ],
    {},
    `${base}/batch`,
  );
  return dims.map((d, i) => {
    const shape = graph.addNode(
      'Concat',
      [batch, graph.addInt64Initializer(`${base}/state_${i}/dims`, [d.length], d)],
      { axis: 0 },
      `${base}/state_${i}/shape`,
    );
    const zero = graph.addFloatInitializer(
      `${base}/state_${i}/zero`,
      [1, ...d.map(() => 1)],
      new Float32Array(1),
    );
    return graph.addNode('Expand', [zero, shape], {}, `${base}/state_${i}/initial`);
  });
}

export interface ScanCall {
  graph: GraphBuilder;
  layer: LayerRef;
  cells: readonly Cell[];
  /** Batch-major [N, T, F]. */
  input: string;
  /** float32 [N, T, 1] or undefined. */
  mask: string | undefined;
  goBackwards: boolean;
  returnSequences: boolean;
}

/**
 * tfjs's rnn() loop as one Scan over axis 1: zero initial states, all cells stepped in order, and on a masked step
 * the states and the output kept from the previous step. Returns the output per step [N, T, H] or the last [N, H],
 * and each cell's final states (h, and c for LSTM), in cell order.
 */
export function scanRecurrent(call: ScanCall): { output: string; states: string[][] } {
  const { graph, layer, cells, input, mask, goBackwards, returnSequences } = call;
  const base = layer.name;
  const body = new GraphBuilder();
  const prefix = `${base}/step`;
  const stepCells: StepCell[] = cells.map((cell, i) => {
    const units = cell.config.number('units');
    const names = cell.className === 'LSTMCell' ? ['h', 'c'] : ['h'];
    return { cell, units, states: names.map((n) => body.uniqueName(`${prefix}/cell_${i}/${n}_prev`)) };
  });
  const x = body.uniqueName(`${prefix}/x`);
  const m = mask === undefined ? undefined : body.uniqueName(`${prefix}/mask`);
  let current = x;
  const newStates: string[] = [];
  stepCells.forEach((stepCell, i) => {
    const step = emitStep(body, layer, stepCell, current, `${prefix}/cell_${i}`);
    current = step.output;
    newStates.push(...step.states);
  });
  const previous = stepCells.flatMap((c) => c.states);
  let output = current;
  let finalStates = newStates;
  if (m !== undefined) {
    const one = body.addFloatInitializer(`${prefix}/one`, [], new Float32Array([1]));
    const skip = body.addNode('Sub', [one, m], {}, `${prefix}/skip`);
    const blend = (fresh: string, old: string, suffix: string) =>
      body.addNode(
        'Add',
        [
          body.addNode('Mul', [fresh, m], {}, `${prefix}/${suffix}_new`),
          body.addNode('Mul', [old, skip], {}, `${prefix}/${suffix}_old`),
        ],
        {},
        `${prefix}/${suffix}`,
      );
    // tfjs falls back to its first state, which StackedRNNCells orders last cell first: the last cell's h.
    const lastH = stepCells[stepCells.length - 1]?.states[0] as string;
    output = blend(current, lastH, 'output');
    finalStates = newStates.map((s, i) => blend(s, previous[i] as string, `state_${i}`));
  }
  // Scan outputs must be fresh names: states first, then the per-step output.
  const stateOutputs = finalStates.map((s, i) =>
    body.addNode('Identity', [s], {}, `${prefix}/state_${i}_out`),
  );
  const stepOutput = body.addNode('Identity', [output], {}, `${prefix}/y`);
  const stateUnits = stepCells.flatMap((c) => c.states.map(() => c.units));
  const lastUnits = stepCells[stepCells.length - 1]?.units ?? 0;
  const inputFeatures = cells[0]?.kernel.shape[0] ?? 0;
  const bodyGraph = {
    name: `${base}_step`,
    node: body.nodes,
    initializer: body.initializers,
    input: [
      ...previous.map((s, i) => tensorInfo(s, ['N', stateUnits[i] as number])),
      tensorInfo(x, ['N', inputFeatures]),
      ...(m === undefined ? [] : [tensorInfo(m, ['N', 1])]),
    ],
    output: [
      ...stateOutputs.map((s, i) => tensorInfo(s, ['N', stateUnits[i] as number])),
      tensorInfo(stepOutput, ['N', lastUnits]),
    ],
  };

  const initial = zeroStates(
    graph,
    input,
    stateUnits.map((units) => [units]),
    base,
  );
  const scanInputs = mask === undefined ? [input] : [input, mask];
  const outputs = graph.addMultiOutputNode(
    'Scan',
    [...initial, ...scanInputs],
    {
      body: { graph: bodyGraph },
      num_scan_inputs: scanInputs.length,
      scan_input_axes: scanInputs.map(() => 1),
      // Backwards: the scan reads the steps from the end and appends outputs in that (tfjs's) order.
      scan_input_directions: scanInputs.map(() => (goBackwards ? 1 : 0)),
      scan_output_axes: [1],
    },
    [...initial.map((_, i) => `${base}/state_${i}/final`), `${base}/sequence`],
  );
  const sequence = outputs[outputs.length - 1] as string;
  const finals = outputs.slice(0, -1);
  const states = stepCells.map((c) => finals.splice(0, c.states.length));
  if (returnSequences) return { output: sequence, states };
  const last = graph.addNode(
    'Gather',
    [sequence, graph.addInt64Initializer(`${base}/last`, [], [-1])],
    { axis: 1 },
    base,
  );
  return { output: last, states };
}
