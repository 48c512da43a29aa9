import { Rng } from '@conv3d/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { randomSequenceModel } from './helpers/fuzz-sequence.js';
import { checkWithOnnxChecker, maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { TOLERANCE } from './helpers/parity.js';
import { predictCpu, useCpuBackend } from './helpers/tfjs.js';

const MODELS = 16;
const BATCH = 4;

beforeAll(useCpuBackend);

const exported: Uint8Array[] = [];
const descriptions: string[] = [];

it.each(Array.from({ length: MODELS }, (_, i) => i))(
  'random sequence model %i: within 1e-5 of tfjs cpu',
  async (index) => {
    const rng = new Rng(2000 + index);
    const { model, description, input } = randomSequenceModel(rng, 2000 + index);
    descriptions.push(description);
    const { data, shape } = input(BATCH, rng);
    const { bytes } = convertModel(model);
    const expected = predictCpu(model, data, shape);
    const actual = await runOnnx(bytes, data, shape);
    expect(maxAbsDiff(expected, actual), description).toBeLessThanOrEqual(TOLERANCE);
    exported.push(bytes);
    model.dispose();
  },
);

it('every random sequence model passes onnx.checker.check_model(full_check=True)', async () => {
  expect(exported.length).toBe(MODELS);
  expect(await checkWithOnnxChecker(exported)).toEqual(exported.map(() => 'ok'));
});

/** What the draw must cover: each class and the options that change the conversion. */
const FEATURES: Record<string, RegExp> = {
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
};

afterAll(() => {
  expect(new Set(descriptions).size).toBe(MODELS);
  const missing = Object.entries(FEATURES).filter(([, re]) => !descriptions.some((d) => re.test(d)));
  expect(missing.map(([name]) => name)).toEqual([]);
});
