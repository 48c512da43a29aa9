import { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recurrentConverter } from '../src/converters/recurrent.js';
import { GraphBuilder } from '../src/graph.js';
import { convertModel } from '../src/index.js';
import { LayerConfig, type LayerWeights } from '../src/layer-config.js';
import { checkWithOnnxChecker, describeWithOnnx, maxAbsDiff, opCount, runOnnxAll } from './helpers/onnx.js';
import { expectParity, TOLERANCE } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

const checked: Uint8Array[] = [];
afterAll(async () => {
  expect(await checkWithOnnxChecker(checked)).toEqual(checked.map(() => 'ok'));
});

const FEATURES = 3;

/** [N, T, F] with T symbolic in tfjs, compared at two lengths on the same exported graph. */
async function expectSequenceParity(layers: tf.layers.Layer[], seed: number, features = FEATURES) {
  const input = tf.input({ shape: [null, features] as unknown as number[] });
  let x: tf.SymbolicTensor = input;
  for (const layer of layers) x = layer.apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x });
  randomizeWeights(model, seed);
  const { bytes } = await expectParity(model, { shape: [3, 5, features], seed });
  await expectParity(model, { shape: [2, 1, features], seed: seed + 1 });
  checked.push(bytes);
  return bytes;
}

const CLASSES = [
  ['SimpleRNN', (a: object) => tf.layers.simpleRNN({ units: 4, ...a })],
  ['GRU', (a: object) => tf.layers.gru({ units: 4, ...a })],
  ['LSTM', (a: object) => tf.layers.lstm({ units: 4, ...a })],
] as const;

describe.each(CLASSES)('%s', (className, make) => {
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('returnSequences %s, goBackwards %s, symbolic time axis', async (returnSequences, goBackwards) => {
    const bytes = await expectSequenceParity([make({ returnSequences, goBackwards })], 71);
    const description = await describeWithOnnx(bytes);
    expect(description.inputs[0]?.[1]).toEqual(['N', expect.any(String), FEATURES]);
    expect(opCount(bytes, className === 'SimpleRNN' ? 'RNN' : className)).toBe(1);
  });

  it.each([
    ['relu', 'sigmoid'],
    ['linear', 'hardSigmoid'],
    ['elu', 'tanh'],
    ['softsign', 'softplus'],
  ])('activation %s, recurrentActivation %s, no bias', async (activation, recurrentActivation) => {
    await expectSequenceParity(
      [make({ activation, recurrentActivation, useBias: false, returnSequences: true }), make({})],
      72,
    );
  });
});

describe('RNN with cells', () => {
  const cell = {
    SimpleRNNCell: () => tf.layers.simpleRNNCell({ units: 3, activation: 'relu' }),
    GRUCell: () => tf.layers.gruCell({ units: 4 }),
    LSTMCell: () => tf.layers.lstmCell({ units: 2, recurrentActivation: 'sigmoid' }),
  };
  it.each(Object.entries(cell))('%s', async (_, make) => {
    await expectSequenceParity([tf.layers.rnn({ cell: make(), returnSequences: true })], 73);
  });
  it.each([false, true])('StackedRNNCells of all three, goBackwards %s', async (goBackwards) => {
    const stacked = tf.layers.stackedRNNCells({
      cells: [cell.LSTMCell(), cell.SimpleRNNCell(), cell.GRUCell()],
    });
    await expectSequenceParity([tf.layers.rnn({ cell: stacked, goBackwards })], 74);
    await expectSequenceParity(
      [tf.layers.rnn({ cell: [cell.GRUCell(), cell.LSTMCell()], goBackwards, returnSequences: true })],
      75,
    );
  });
});

describe('Bidirectional', () => {
  it.each([
    ['concat', true],
    ['sum', true],
    ['mul', false],
    ['ave', true],
    ['concat', false],
  ] as const)('mergeMode %s, returnSequences %s', async (mergeMode, returnSequences) => {
    await expectSequenceParity(
      [tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences }), mergeMode })],
      76,
    );
  });
  // tfjs 4.22 cannot build a Bidirectional over the generic RNN layer (it fails to deserialize the cell's config).
  it('over a GRU that goes backwards, then over a SimpleRNN', async () => {
    await expectSequenceParity(
      [
        tf.layers.bidirectional({
          layer: tf.layers.gru({ units: 2, goBackwards: true, returnSequences: true }) as tf.layers.RNN,
        }),
        tf.layers.bidirectional({
          layer: tf.layers.simpleRNN({ units: 3 }) as tf.layers.RNN,
          mergeMode: 'sum',
        }),
      ],
      77,
    );
  });
});

describe('TimeDistributed', () => {
  it('Dense with an activation, then an LSTM (symbolic time)', async () => {
    await expectSequenceParity(
      [
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5, activation: 'relu' }) }),
        tf.layers.lstm({ units: 2 }),
      ],
      78,
    );
  });
  it('Conv2D and MaxPooling2D over frames [N, T, H, W, C]', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.timeDistributed({
          layer: tf.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'tanh' }),
          inputShape: [4, 5, 5, 2],
        }),
        tf.layers.timeDistributed({ layer: tf.layers.maxPooling2d({ poolSize: 2 }) }),
        tf.layers.timeDistributed({ layer: tf.layers.flatten() }),
        tf.layers.simpleRNN({ units: 3 }),
      ],
    });
    randomizeWeights(model, 79);
    const { bytes } = await expectParity(model);
    checked.push(bytes);
  });
});

describe('Scan: activations ONNX recurrent ops do not take', () => {
  it.each([
    ['SimpleRNN selu', () => tf.layers.simpleRNN({ units: 3, activation: 'selu', returnSequences: true })],
    [
      'GRU relu6 / swish',
      () => tf.layers.gru({ units: 3, activation: 'relu6', recurrentActivation: 'swish' }),
    ],
    ['LSTM mish, backwards', () => tf.layers.lstm({ units: 2, activation: 'mish', goBackwards: true })],
    [
      'LSTM selu, sequences, backwards, no bias',
      () =>
        tf.layers.lstm({
          units: 3,
          activation: 'selu',
          returnSequences: true,
          goBackwards: true,
          useBias: false,
        }),
    ],
    [
      'stacked cells, one of them softmax',
      () =>
        tf.layers.rnn({
          cell: [
            tf.layers.gruCell({ units: 2 }),
            tf.layers.simpleRNNCell({ units: 3, activation: 'softmax' }),
          ],
          returnSequences: true,
        }),
    ],
  ])('%s', async (_, make) => {
    const bytes = await expectSequenceParity([make()], 84);
    expect(opCount(bytes, 'Scan')).toBe(1);
  });
});

/** [N, T, F] rows where the steps with (n + t) % 3 === 1 are all `value` (masked), the rest random. */
function maskedSteps(shape: [number, number, number], value: number, seed: number): Float32Array {
  const [n, t, f] = shape;
  const data = new Rng(seed).floats(n * t * f, -1, 1);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < t; j++) if ((i + j) % 3 === 1) data.fill(value, (i * t + j) * f, (i * t + j + 1) * f);
  return data;
}

describe('masks (Masking, Embedding maskZero) → Scan', () => {
  async function maskedParity(layers: tf.layers.Layer[], seed: number) {
    const input = tf.input({ shape: [null, FEATURES] as unknown as number[] });
    let x: tf.SymbolicTensor = tf.layers.masking({ maskValue: 0.5 }).apply(input) as tf.SymbolicTensor;
    for (const layer of layers) x = layer.apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: x });
    randomizeWeights(model, seed);
    const { bytes } = await expectParity(model, {
      shape: [4, 5, FEATURES],
      input: maskedSteps([4, 5, FEATURES], 0.5, seed),
    });
    checked.push(bytes);
    return bytes;
  }
  it.each([
    ['SimpleRNN', () => tf.layers.simpleRNN({ units: 3 })],
    ['GRU, sequences', () => tf.layers.gru({ units: 3, returnSequences: true })],
    ['LSTM, backwards', () => tf.layers.lstm({ units: 2, goBackwards: true })],
    [
      'LSTM, sequences, backwards',
      () => tf.layers.lstm({ units: 2, goBackwards: true, returnSequences: true }),
    ],
    [
      'stacked cells, sequences',
      () =>
        tf.layers.rnn({
          cell: [tf.layers.lstmCell({ units: 3 }), tf.layers.simpleRNNCell({ units: 2 })],
          returnSequences: true,
        }),
    ],
  ])('Masking → %s', async (_, make) => {
    const bytes = await maskedParity([make()], 85);
    expect(opCount(bytes, 'Scan')).toBe(1);
  });
  it('Masking → Dropout → Bidirectional(GRU, sequences) → LSTM: the mask travels on', async () => {
    const bytes = await maskedParity(
      [
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.bidirectional({
          layer: tf.layers.gru({ units: 2, returnSequences: true }) as tf.layers.RNN,
        }),
        tf.layers.lstm({ units: 2 }),
      ],
      86,
    );
    expect(opCount(bytes, 'Scan')).toBe(3);
  });
  it('Masking → Dense → ReLU → LSTM (sequences) → Dense: layers that ignore the mask pass it on', async () => {
    const bytes = await maskedParity(
      [
        tf.layers.dense({ units: 4, activation: 'tanh' }),
        tf.layers.reLU(),
        tf.layers.lstm({ units: 2, returnSequences: true }),
        tf.layers.dense({ units: 2 }),
      ],
      92,
    );
    expect(opCount(bytes, 'Scan')).toBe(1);
  });
  it('Embedding maskZero → GRU', async () => {
    const input = tf.input({ shape: [null] as unknown as number[] });
    const embedded = tf.layers.embedding({ inputDim: 4, outputDim: 3, maskZero: true }).apply(input);
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.gru({ units: 2 }).apply(embedded) as tf.SymbolicTensor,
    });
    randomizeWeights(model, 87);
    const ids = Float32Array.from([1, 0, 2, 3, 0, 0, 3, 1, 2, 0, 2.5, 0, 0.5, 3, 1]);
    const { bytes } = await expectParity(model, { shape: [3, 5], input: ids });
    checked.push(bytes);
  });
});

describe('ConvLSTM2D', () => {
  it.each([
    ['valid, last output', {}],
    ['same, sequences, backwards', { padding: 'same', returnSequences: true, goBackwards: true }],
    [
      'strides 2, no bias, relu / sigmoid',
      { strides: 2, useBias: false, activation: 'relu', recurrentActivation: 'sigmoid' },
    ],
    [
      'dilation 2, same, selu',
      { dilationRate: 2, padding: 'same', activation: 'selu', returnSequences: true },
    ],
  ] as const)('%s, symbolic time axis', async (_, options) => {
    const input = tf.input({ shape: [null, 6, 5, 2] as unknown as number[] });
    const layer = tf.layers.convLstm2d({
      filters: 3,
      kernelSize: [3, 2],
      ...options,
    } as Parameters<typeof tf.layers.convLstm2d>[0]);
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    randomizeWeights(model, 88);
    const { bytes } = await expectParity(model, { shape: [2, 4, 6, 5, 2], seed: 88 });
    await expectParity(model, { shape: [1, 2, 6, 5, 2], seed: 89 });
    checked.push(bytes);
    expect(opCount(bytes, 'Scan')).toBe(1);
  });
  it('then Conv2D on the last output (channels-first, no Transpose between)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.convLstm2d({ filters: 2, kernelSize: 2, inputShape: [3, 5, 5, 1] }),
        tf.layers.conv2d({ filters: 2, kernelSize: 2 }),
      ],
    });
    randomizeWeights(model, 90);
    const { bytes } = await expectParity(model);
    checked.push(bytes);
    expect(opCount(bytes, 'Transpose')).toBe(2);
  });
});

describe('several outputs: returnState, Bidirectional mergeMode null', () => {
  /** Every output of `model` (one input) on onnxruntime against tfjs cpu. */
  async function expectOutputsParity(model: tf.LayersModel, shape: number[], data: Float32Array) {
    randomizeWeights(model, 93);
    const { bytes } = convertModel(model);
    checked.push(bytes);
    const expected = tf.tidy(() =>
      (model.predict(tf.tensor(data, shape)) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array),
    );
    const actual = await runOnnxAll(bytes, [data], [shape]);
    expect(actual.length).toBe(expected.length);
    actual.forEach((a, i) => {
      expect(maxAbsDiff(expected[i] as Float32Array, a), `output ${i}`).toBeLessThanOrEqual(TOLERANCE);
    });
  }
  const functional = (layer: tf.layers.Layer, inputShape: (number | null)[]) => {
    const input = tf.input({ shape: inputShape as number[] });
    return tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor[] });
  };
  it.each([
    ['LSTM', () => tf.layers.lstm({ units: 3, returnState: true })],
    [
      'GRU, sequences, backwards',
      () => tf.layers.gru({ units: 2, returnState: true, returnSequences: true, goBackwards: true }),
    ],
    ['SimpleRNN selu (Scan)', () => tf.layers.simpleRNN({ units: 2, activation: 'selu', returnState: true })],
    [
      'stacked LSTM + GRU cells (last cell first)',
      () =>
        tf.layers.rnn({
          cell: [tf.layers.lstmCell({ units: 2 }), tf.layers.gruCell({ units: 3 })],
          returnState: true,
        }),
    ],
    [
      'stacked cells, one swish (Scan)',
      () =>
        tf.layers.rnn({
          cell: [tf.layers.lstmCell({ units: 2, activation: 'swish' }), tf.layers.gruCell({ units: 3 })],
          returnState: true,
          returnSequences: true,
        }),
    ],
    [
      'Bidirectional LSTM, returnState',
      () =>
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, returnState: true }) as tf.layers.RNN }),
    ],
    [
      'Bidirectional GRU, mergeMode null, sequences',
      () =>
        tf.layers.bidirectional({
          layer: tf.layers.gru({ units: 2, returnSequences: true }) as tf.layers.RNN,
          mergeMode: null as unknown as 'concat',
        }),
    ],
  ])('%s', async (_, make) => {
    const data = new Rng(94).floats(3 * 5 * FEATURES, -1, 1);
    await expectOutputsParity(functional(make(), [null, FEATURES]), [3, 5, FEATURES], data);
  });
  it('Masking → LSTM returnState (Scan: masked final states)', async () => {
    const input = tf.input({ shape: [null, FEATURES] as unknown as number[] });
    const masked = tf.layers.masking({ maskValue: 0.5 }).apply(input);
    const outputs = tf.layers.lstm({ units: 2, returnState: true }).apply(masked) as tf.SymbolicTensor[];
    await expectOutputsParity(
      tf.model({ inputs: input, outputs }),
      [4, 5, FEATURES],
      maskedSteps([4, 5, FEATURES], 0.5, 95),
    );
  });
  it('ConvLSTM2D returnState', async () => {
    const data = new Rng(96).floats(2 * 3 * 5 * 4 * 2, -1, 1);
    await expectOutputsParity(
      functional(tf.layers.convLstm2d({ filters: 2, kernelSize: 2, returnState: true }), [null, 5, 4, 2]),
      [2, 3, 5, 4, 2],
      data,
    );
  });
});

describe('refused with one line', () => {
  it('a mask reaching a layer that would change it (TimeDistributed)', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.masking({ inputShape: [4, 3] }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }), name: 't' }),
        tf.layers.lstm({ units: 2 }),
      ],
    });
    expect(() => convertModel(model)).toThrow(
      "layer 't' (TimeDistributed): a mask (Masking or Embedding maskZero upstream) reaches it; masks are converted into recurrent layers and through layers that ignore them",
    );
  });
  it('a GRU config with resetAfter true (Keras 2 default; tfjs 4.22 refuses to build it)', () => {
    const layer = { name: 'g', className: 'GRU' };
    const graph = new GraphBuilder();
    expect(() =>
      recurrentConverter.convert({
        graph,
        layer,
        config: new LayerConfig(layer, { units: 2, resetAfter: true }),
        weights: { list: [] } as unknown as LayerWeights,
        inputs: [graph.value([null, 4, 3], 'channelsLast', 'x')],
        inputShapes: [[null, 4, 3]],
        outputShape: [null, 2],
      }),
    ).toThrow(
      "layer 'g' (GRU): resetAfter true (tfjs 4.22 cannot run it, so there is no reference) is not supported",
    );
  });
});
