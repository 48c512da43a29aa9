import { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { convertModel, REGISTRY } from '../src/index.js';
import { GENERATORS, HEADS, randomSequenceModel, SEQUENCE_FEATURES } from './helpers/fuzz/index.js';
import { checkWithOnnxChecker, maxAbsDiff, runOnnxAll, transposeChains } from './helpers/onnx.js';
import { TOLERANCE } from './helpers/parity.js';
import { randomModel } from './helpers/random-models.js';
import { useCpuBackend } from './helpers/tfjs.js';

const MODELS = 160;
/** Whole sequence models (./helpers/fuzz/sequence.ts) drawn after the MODELS graphs, so their seeds stay put. */
const SEQUENCE_MODELS = 32;
const ALL = MODELS + SEQUENCE_MODELS;
const BATCH = 4;
/** Every CHECK_EVERY-th model also goes through onnx.checker (one python process for all of them). */
const CHECK_EVERY = 4;

beforeAll(useCpuBackend);

const checked: { index: number; bytes: Uint8Array }[] = [];
const architectures = new Set<string>();
const drawnClasses = new Set<string>();
const drawnTags = new Set<string>();
const worst = { abs: 0, rel: 0 };

/**
 * Converted classes tfjs 4.22 cannot run inside a model, so no fuzzed graph can hold them (each has its own
 * parity test in tokens-and-images.test.ts against tfjs's kernels called directly).
 */
const NOT_FUZZABLE: Readonly<Record<string, string>> = {
  Resizing: "its call gets predict's input list and throws",
  CenterCrop: 'it writes the crop size into its input shape, so the exporter refuses a stock-built one',
  RandomWidth: 'it cannot be applied to a symbolic input',
};

interface Drawn {
  model: tf.LayersModel;
  description: string;
  tags: Iterable<string>;
  inputs: Float32Array[];
  shapes: number[][];
}

function draw(index: number): Drawn {
  const rng = new Rng(2000 + index);
  if (index >= MODELS) {
    const { model, description, input } = randomSequenceModel(rng, 2000 + index);
    const { data, shape } = input(BATCH, rng);
    const tags = Object.entries(SEQUENCE_FEATURES).filter(([, re]) => re.test(description));
    return { model, description, tags: tags.map(([tag]) => tag), inputs: [data], shapes: [shape] };
  }
  const { model, description, inputShapes, tags } = randomModel(rng, 2000 + index);
  const shapes = inputShapes.map((s) => [BATCH, ...s]);
  const inputs = shapes.map((s) =>
    rng.floats(
      s.reduce((a, b) => a * b, 1),
      -1,
      1,
    ),
  );
  return { model, description, tags, inputs, shapes };
}

/** Every layer class in `model`, models used as layers and their layers included. */
function classesOf(model: tf.LayersModel, into: Set<string>): void {
  for (const layer of model.layers) {
    into.add(layer.getClassName());
    if (layer instanceof tf.LayersModel) classesOf(layer, into);
  }
}

it.each(Array.from({ length: ALL }, (_, i) => i))(
  'random model %i: every output within 1e-5 of tfjs cpu',
  async (index) => {
    const { model, description, tags, inputs, shapes } = draw(index);
    architectures.add(description);
    classesOf(model, drawnClasses);
    for (const tag of tags) drawnTags.add(tag);
    const { bytes } = convertModel(model);
    const expected = tf.tidy(() => {
      const y = model.predict(inputs.map((x, i) => tf.tensor(x, shapes[i])));
      return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
    });
    const actual = await runOnnxAll(bytes, inputs, shapes);
    expect(actual.length, description).toBe(expected.length);
    expected.forEach((e, i) => {
      const abs = maxAbsDiff(e, actual[i] as Float32Array);
      expect(abs, description).toBeLessThanOrEqual(TOLERANCE);
      worst.abs = Math.max(worst.abs, abs);
      e.forEach((v, j) => {
        const rel = Math.abs(v - (actual[i]?.[j] as number)) / Math.max(Math.abs(v), 1e-3);
        worst.rel = Math.max(worst.rel, rel);
      });
    });
    expect(transposeChains(bytes), description).toEqual([]);
    if (index % CHECK_EVERY === 0) checked.push({ index, bytes });
    model.dispose();
  },
);

it('a sample of the random models passes onnx.checker.check_model(full_check=True)', async () => {
  expect(checked.length).toBe(Math.ceil(ALL / CHECK_EVERY));
  const verdicts = await checkWithOnnxChecker(checked.map((c) => c.bytes));
  expect(verdicts.map((v, i) => `model ${checked[i]?.index}: ${v}`)).toEqual(
    checked.map((c) => `model ${c.index}: ok`),
  );
});

afterAll(() => {
  // The draw must actually vary: distinct architectures, not one model many times.
  expect(architectures.size).toBe(ALL);
  // Every converted class (read from the registry, so a new converter needs a new generator) is drawn.
  const never = [...REGISTRY.keys()].filter((c) => !drawnClasses.has(c) && NOT_FUZZABLE[c] === undefined);
  expect(never, 'converted classes the fuzzer never drew').toEqual([]);
  // Every option tag a generator declares is drawn.
  const declared = [...[...GENERATORS, ...HEADS].flatMap((g) => g.covers), ...Object.keys(SEQUENCE_FEATURES)];
  const missing = [...new Set([...declared, 'Sequential', 'Functional', 'two inputs', 'two outputs'])].filter(
    (t) => !drawnTags.has(t),
  );
  expect(missing, 'options the fuzzer never drew').toEqual([]);
  console.log(
    `fuzz parity over ${ALL} models: worst |Δ| ${worst.abs.toExponential(2)}, worst relative ${worst.rel.toExponential(2)} (|v| floored at 1e-3)`,
  );
  tf.disposeVariables();
});
