import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { checkWithOnnxChecker, describeWithOnnx, opCount } from './helpers/onnx.js';
import { expectParity } from './helpers/parity.js';
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

describe('refused with one line', () => {
  const errorOf = (layer: tf.layers.Layer) => {
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [4, 3] }), layer] });
    try {
      convertModel(model);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('convertModel did not fail');
  };
  it('an activation ONNX recurrent ops do not take', () => {
    expect(errorOf(tf.layers.lstm({ units: 2, activation: 'selu', name: 'l' }))).toBe(
      "layer 'l' (LSTM): activation 'selu' in a recurrent cell (ONNX RNN/GRU/LSTM take linear, relu, tanh, sigmoid, hardSigmoid, elu, softsign, softplus) is not supported",
    );
  });
  it('returnState (several outputs)', () => {
    const input = tf.input({ shape: [4, 3] });
    const outputs = tf.layers
      .gru({ units: 2, returnState: true, name: 'g' })
      .apply(input) as tf.SymbolicTensor[];
    expect(() => convertModel(tf.model({ inputs: input, outputs }))).toThrow(
      "layer 'g' (GRU): multiple outputs are not supported",
    );
  });
});
