// The fuzzer's sequence family: whole seeded models (recurrent layers and cells, wrappers, masks, embeddings,
// ConvLSTM2D, bags of tokens), drawn whole because their inputs are token ids or masked steps, not any float row.

import type { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { randomizeWeights } from '../tfjs.js';

/** Activations ONNX's RNN/GRU/LSTM take (native ops) and some they do not (selu, swish: a Scan). */
const CELL_ACTIVATIONS = [
  'tanh',
  'relu',
  'sigmoid',
  'hardSigmoid',
  'linear',
  'elu',
  'softsign',
  'selu',
  'swish',
];
/** Gates stay bounded: an unbounded gate activation overflows to NaN in tfjs within a few steps. */
const GATE_ACTIVATIONS = ['sigmoid', 'hardSigmoid', 'tanh', 'softsign'];
const MERGE_MODES = ['concat', 'sum', 'mul', 'ave'] as const;
const KINDS = ['SimpleRNN', 'GRU', 'LSTM'] as const;

export interface SequenceModel {
  model: tf.LayersModel;
  /** One line per layer, for failure messages and the coverage check. */
  description: string;
  /** A seeded input of `batch` rows: float features (with masked steps when the model masks) or token ids. */
  input(batch: number, rng: Rng): { data: Float32Array; shape: number[] };
}

type Kind = (typeof KINDS)[number];

function cellArgs(rng: Rng, kind: Kind) {
  const args: Record<string, unknown> = {
    units: rng.int(2, 4),
    activation: rng.pick(CELL_ACTIVATIONS),
    useBias: rng.chance(0.8),
  };
  if (kind !== 'SimpleRNN') args.recurrentActivation = rng.pick(GATE_ACTIVATIONS);
  return args;
}

const CELLS = {
  SimpleRNN: (a: object) => tf.layers.simpleRNNCell(a as never),
  GRU: (a: object) => tf.layers.gruCell(a as never),
  LSTM: (a: object) => tf.layers.lstmCell(a as never),
};
const LAYERS = {
  SimpleRNN: (a: object) => tf.layers.simpleRNN(a as never),
  GRU: (a: object) => tf.layers.gru(a as never),
  LSTM: (a: object) => tf.layers.lstm(a as never),
};

/** One recurrent layer: a SimpleRNN/GRU/LSTM, an RNN with one cell or stacked cells, or a Bidirectional. */
function recurrentLayer(
  rng: Rng,
  returnSequences: boolean,
  returnState = false,
): { layer: tf.layers.Layer; line: string } {
  const kind = rng.pick(KINDS);
  const common = { returnSequences, goBackwards: rng.chance(0.4), ...(returnState ? { returnState } : {}) };
  const form = rng.pick(['layer', 'layer', 'cell', 'stacked', 'bidirectional'] as const);
  if (form === 'cell' || form === 'stacked') {
    const kinds = form === 'cell' ? [kind] : [kind, rng.pick(KINDS)];
    const args = kinds.map((k) => cellArgs(rng, k));
    const line = `RNN(${kinds.map((k, i) => `${k}Cell ${JSON.stringify(args[i])}`).join(', ')}) ${JSON.stringify(common)}`;
    const cells = kinds.map((k, i) => CELLS[k](args[i] as object));
    return { layer: tf.layers.rnn({ cell: form === 'cell' ? (cells[0] as never) : cells, ...common }), line };
  }
  const args = { ...cellArgs(rng, kind), ...common };
  // Described before tfjs sees the args: its constructors write the cell into them.
  const line = `${kind} ${JSON.stringify(args)}`;
  if (form === 'layer') return { layer: LAYERS[kind](args), line };
  const mergeMode = rng.pick(MERGE_MODES);
  return {
    layer: tf.layers.bidirectional({ layer: LAYERS[kind](args) as tf.layers.RNN, mergeMode }),
    line: `Bidirectional(${line}) mergeMode ${mergeMode}`,
  };
}

/** [N, T, F] with the steps where (n + t) % 3 === 1 all equal to `value` (what Masking masks). */
function maskedFeatures(rng: Rng, shape: number[], value: number): Float32Array {
  const [n, t, f] = shape as [number, number, number];
  const data = rng.floats(n * t * f, -1, 1);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < t; j++) if ((i + j) % 3 === 1) data.fill(value, (i * t + j) * f, (i * t + j + 1) * f);
  return data;
}

/** A ConvLSTM2D model over frames [T, H, W, C] (T symbolic or not), then Flatten and Dense. */
function convLstmModel(rng: Rng, time: number | null, steps: number): SequenceModel {
  const frame = [rng.int(4, 6), rng.int(4, 6), rng.int(1, 2)];
  const args = {
    filters: rng.int(1, 3),
    kernelSize: rng.int(2, 3),
    padding: rng.pick(['valid', 'same'] as const),
    goBackwards: rng.chance(0.5),
    activation: rng.pick(CELL_ACTIVATIONS) as 'tanh',
    recurrentActivation: rng.pick(GATE_ACTIVATIONS) as 'sigmoid',
  };
  const model = tf.sequential({
    layers: [
      tf.layers.convLstm2d({ ...args, inputShape: [time, ...frame] as number[] }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  return {
    model,
    description: `Sequential frames ${JSON.stringify([time, ...frame])}\nConvLSTM2D ${JSON.stringify(args)}\nFlatten → Dense softmax`,
    input: (batch, r) => {
      const shape = [batch, steps, ...frame];
      return {
        shape,
        data: r.floats(
          shape.reduce((a, b) => a * b, 1),
          -1,
          1,
        ),
      };
    },
  };
}

/** Token ids [numTokens] → CategoryEncoding → Dense softmax (tfjs 4.22 builds CategoryEncoding on numTokens ids only). */
function bagOfTokensModel(rng: Rng): SequenceModel {
  const numTokens = rng.int(3, 6);
  const outputMode = rng.pick(['count', 'multiHot'] as const);
  const head = rng.int(2, 4);
  const model = tf.sequential({
    layers: [
      tf.layers.categoryEncoding({ numTokens, outputMode, inputShape: [numTokens] }),
      tf.layers.dense({ units: head, activation: 'softmax' }),
    ],
  });
  return {
    model,
    description: `Sequential ids [${numTokens}]\nCategoryEncoding ${JSON.stringify({ numTokens, outputMode })}\nDense ${head} softmax`,
    input: (batch, r) => ({
      shape: [batch, numTokens],
      data: Float32Array.from(r.floats(batch * numTokens, 0, numTokens), Math.floor),
    }),
  };
}

/**
 * A random seeded sequence model: float features (sometimes Masking) or token ids (Embedding, sometimes
 * maskZero), then 1–3 recurrent layers (the last returning sequences or not), TimeDistributed Dense or dropout
 * between them when no mask is active, a functional two-branch merge now and then, and a Dense head.
 * About one model in six is a ConvLSTM2D model instead, and one in six a bag of tokens (CategoryEncoding). Weights are seeded (`seed`).
 */
export function randomSequenceModel(rng: Rng, seed: number): SequenceModel {
  const symbolicTime = rng.chance(0.5);
  const steps = rng.int(2, 6);
  const time = symbolicTime ? null : steps;
  const special = rng.pick(['convLstm', 'bag', 'recurrent', 'recurrent', 'recurrent', 'recurrent'] as const);
  if (special !== 'recurrent') {
    const built = special === 'convLstm' ? convLstmModel(rng, time, steps) : bagOfTokensModel(rng);
    randomizeWeights(built.model, seed);
    return built;
  }
  const tokens = rng.chance(0.3);
  const features = rng.int(2, 4);
  const vocabulary = rng.int(4, 7);
  const maskZero = tokens && rng.chance(0.5);
  const masking = !tokens && rng.chance(0.3);
  const maskValue = 0.25;
  const input = tf.input({ shape: (tokens ? [time] : [time, features]) as number[] });
  const lines = [`Functional input ${JSON.stringify(tokens ? [time] : [time, features])}`];
  let current: tf.SymbolicTensor = input;
  const add = (layer: tf.layers.Layer, line: string) => {
    current = layer.apply(current) as tf.SymbolicTensor;
    lines.push(line);
  };
  if (tokens) {
    add(
      tf.layers.embedding({ inputDim: vocabulary, outputDim: features, maskZero }),
      `Embedding ${JSON.stringify({ inputDim: vocabulary, outputDim: features, maskZero })}`,
    );
  }
  if (masking) add(tf.layers.masking({ maskValue }), `Masking ${maskValue}`);
  const masked = masking || maskZero;
  const recurrent = rng.int(1, 3);
  for (let i = 0; i < recurrent; i++) {
    const last = i === recurrent - 1;
    const returnSequences = last ? rng.chance(0.4) : true;
    if (i > 0 || !masked) {
      const between = rng.pick(['none', 'dropout', 'timeDistributed', 'spatialDropout'] as const);
      if (between === 'dropout') add(tf.layers.dropout({ rate: 0.3 }), 'Dropout');
      if (between === 'spatialDropout' && !masked)
        add(tf.layers.spatialDropout1d({ rate: 0.3 }), 'SpatialDropout1D');
      if (between === 'timeDistributed' && !masked) {
        const units = rng.int(2, 4);
        add(
          tf.layers.timeDistributed({ layer: tf.layers.dense({ units, activation: 'tanh' }) }),
          `TimeDistributed(Dense ${units} tanh)`,
        );
      }
    }
    // A functional fork: two recurrent layers on the same input, merged (only for the last, unmasked layer).
    if (last && !returnSequences && !masked && rng.chance(0.35)) {
      // The left branch may also return its final states (several outputs), all concatenated.
      const a = recurrentLayer(rng, false, rng.chance(0.5));
      const b = recurrentLayer(rng, false);
      const left = a.layer.apply(current) as tf.SymbolicTensor | tf.SymbolicTensor[];
      const right = b.layer.apply(current) as tf.SymbolicTensor;
      current = tf.layers.concatenate().apply([left, right].flat()) as tf.SymbolicTensor;
      lines.push(`concatenate(${a.line} | ${b.line})`);
      continue;
    }
    const { layer, line } = recurrentLayer(rng, returnSequences);
    add(layer, line);
  }
  const head = rng.int(2, 4);
  add(tf.layers.dense({ units: head, activation: 'softmax' }), `Dense ${head} softmax`);
  const model = tf.model({ inputs: input, outputs: current });
  randomizeWeights(model, seed);
  return {
    model,
    description: lines.join('\n'),
    input: (batch, r) => {
      const shape = tokens ? [batch, steps] : [batch, steps, features];
      if (tokens) {
        // Integer ids with some zeros (maskZero's masked steps).
        return { shape, data: Float32Array.from(r.floats(batch * steps, 0, vocabulary), Math.floor) };
      }
      return {
        shape,
        data: masking
          ? maskedFeatures(r, shape, maskValue)
          : r.floats(
              shape.reduce((a, b) => a * b, 1),
              -1,
              1,
            ),
      };
    },
  };
}

/** What the sequence draw must cover: each class and the options that change the conversion. */
export const SEQUENCE_FEATURES: Readonly<Record<string, RegExp>> = {
  SimpleRNN: /(^|\(|\| )SimpleRNN \{/m,
  GRU: /(^|\(|\| )GRU \{/m,
  LSTM: /(^|\(|\| )LSTM \{/m,
  'RNN with a cell': /RNN\(\w+Cell \{[^}]*\}\) /,
  StackedRNNCells: /RNN\(\w+Cell \{[^}]*\}, \w+Cell /,
  Bidirectional: /Bidirectional/,
  TimeDistributed: /TimeDistributed/,
  ConvLSTM2D: /ConvLSTM2D/,
  Embedding: /Embedding/,
  'Embedding maskZero': /"maskZero":true/,
  Masking: /Masking/,
  goBackwards: /"goBackwards":true/,
  'returnSequences at the end': /"returnSequences":true[^\n]*\nDense/,
  'a Scan activation': /"(recurrent)?[aA]ctivation":"(selu|swish)"/,
  'symbolic time axis': /input \[null/,
  'functional merge': /concatenate\(/,
  returnState: /"returnState":true/,
  'CategoryEncoding count': /"outputMode":"count"/,
  'CategoryEncoding multiHot': /"outputMode":"multiHot"/,
};
