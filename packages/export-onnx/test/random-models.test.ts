import { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { argmaxRows, checkWithOnnxChecker, maxAbsDiff, runOnnx, transposeChains } from './helpers/onnx.js';
import { TOLERANCE } from './helpers/parity.js';
import { randomModel } from './helpers/random-models.js';
import { predictCpu, useCpuBackend } from './helpers/tfjs.js';

const MODELS = 60;
const BATCH = 8;
/** Every CHECK_EVERY-th model also goes through onnx.checker (one python process for all of them). */
const CHECK_EVERY = 4;

beforeAll(useCpuBackend);

const checked: { index: number; bytes: Uint8Array }[] = [];
const architectures = new Set<string>();

it.each(Array.from({ length: MODELS }, (_, i) => i))(
  'random model %i: softmax within 1e-5 of tfjs cpu, same argmax on every sample',
  async (index) => {
    const rng = new Rng(1000 + index);
    const { model, description, inputShape } = randomModel(rng, 1000 + index);
    architectures.add(description);
    const shape = [BATCH, ...inputShape];
    const input = rng.floats(
      shape.reduce((a, b) => a * b, 1),
      0,
      1,
    );
    const { bytes } = convertModel(model);
    const expected = predictCpu(model, input, shape);
    const actual = await runOnnx(bytes, input, shape);
    const classes = expected.length / BATCH;
    expect(maxAbsDiff(expected, actual), description).toBeLessThanOrEqual(TOLERANCE);
    expect(argmaxRows(actual, classes), description).toEqual(argmaxRows(expected, classes));
    expect(transposeChains(bytes), description).toEqual([]);
    if (index % CHECK_EVERY === 0) checked.push({ index, bytes });
    model.dispose();
  },
);

it('a sample of the random models passes onnx.checker.check_model(full_check=True)', async () => {
  expect(checked.length).toBe(MODELS / CHECK_EVERY);
  const verdicts = await checkWithOnnxChecker(checked.map((c) => c.bytes));
  expect(verdicts.map((v, i) => `model ${checked[i]?.index}: ${v}`)).toEqual(
    checked.map((c) => `model ${c.index}: ok`),
  );
});

const FEATURES: Record<string, RegExp> = {
  'Conv3D valid': /Conv3D [^→]*"padding":"valid"/,
  'Conv3D same': /Conv3D [^→]*"padding":"same"/,
  'Conv3D stride 2': /Conv3D [^→]*"strides":\[[^\]]*2/,
  'Conv3D dilation 2': /Conv3D [^→]*"dilationRate":\[2/,
  'Conv3D without bias': /Conv3D [^→]*"useBias":false/,
  Conv2D: /Conv2D/,
  'BN after Conv3D': /Conv3D [^→]*→ BN/,
  'BN after Conv2D': /Conv2D [^→]*→ BN/,
  'BN after Dense': /Dense [^→]* → BN/,
  'MaxPooling3D same': /MaxPooling3D [^→]*"padding":"same"/,
  'AveragePooling3D same': /AveragePooling3D [^→]*"padding":"same"/,
  'AveragePooling3D valid': /AveragePooling3D [^→]*"padding":"valid"/,
  'pooling 2D': /Pooling2D/,
  'global pooling': /G[AM]P2D/,
  Dropout: /Dropout/,
  'Activation layer': /Activation /,
  Sequential: /^Sequential/,
  'functional Add': /^Functional.*add\(/,
  'functional Concatenate': /^Functional.*concatenate\(/,
  'functional Multiply': /^Functional.*multiply\(/,
};

afterAll(() => {
  // The draw must actually vary: distinct architectures, not one model sixty times, covering every option.
  expect(architectures.size).toBe(MODELS);
  const all = [...architectures];
  const missing = Object.entries(FEATURES).filter(([, re]) => !all.some((a) => re.test(a)));
  expect(missing.map(([name]) => name)).toEqual([]);
  tf.disposeVariables();
});
