// The shipped best.json's layer kinds ('same' Conv3D without bias, BatchNormalization, ReLU, MaxPooling3D,
// GlobalAveragePooling3D, Dropout, Dense) through the whole path: a short seeded training run with its callbacks
// and fresh rotated copies, the run folder exported as conv3d-export does, and onnxruntime-node against tfjs cpu.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preprocessBatch, SEED_CONTRACT } from '@conv3d/core';
import { buildDataset, openDataset } from '@conv3d/data';
import { exportModelFile } from '@conv3d/export-onnx';
import {
  BEST_CONFIG_PATH,
  loadModelFromDir,
  loadTrainConfig,
  parseTrainConfig,
  selectBackend,
  train,
} from '@conv3d/train';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, test } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'conv3d-best-export-'));
const BEST = BEST_CONFIG_PATH;
/** onnxruntime vs tfjs cpu on softmax outputs (the exporter's own suite uses the same bound). */
const TOLERANCE = 1e-5;

const block = (filters: number) => [
  {
    className: 'Conv3D',
    config: {
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: 'he_uniform',
    },
  },
  { className: 'BatchNormalization', config: { momentum: 0.9, epsilon: 1e-5 } },
  { className: 'ReLU' },
];

/**
 * best.json at test width (4–6 filters, 3 blocks): the same layer kinds and settings, cheap on stock tfjs. The
 * leading pool runs the blocks at 8³ and below, which cuts the training time ~4× and changes no op's semantics.
 */
const SMALL_BEST = {
  ...JSON.parse(readFileSync(BEST, 'utf8')),
  name: 'best-small',
  layers: [
    { className: 'MaxPooling3D', config: { inputShape: [16, 16, 16, 3], poolSize: 2 } },
    ...block(4),
    { className: 'MaxPooling3D', config: { poolSize: 2 } },
    ...block(6),
    { className: 'MaxPooling3D', config: { poolSize: 2 } },
    ...block(6),
    { className: 'GlobalAveragePooling3D' },
    { className: 'Dropout', config: { rate: 0.3 } },
    { className: 'Dense', config: { units: 10, activation: 'softmax', kernelInitializer: 'glorot_uniform' } },
  ],
  batchSize: 16,
  epochs: 2,
};

let runDir: string;
let dataPath: string;

beforeAll(async () => {
  dataPath = join(dir, 'small.h5');
  await buildDataset({ out: dataPath, digits: { train: 20, test: 10 }, workers: 0 });
  runDir = join(dir, 'run');
  const result = await train({
    config: parseTrainConfig(SMALL_BEST, 'best-small.json'),
    backend: 'cpu',
    data: dataPath,
    outDir: runDir,
    progress: false,
    log: () => {},
  });
  result.dispose();
}, 600_000);

describe('best.json through training, export and onnxruntime-node', () => {
  test("the test model uses every layer kind of the shipped best.json (and best.json's settings)", () => {
    const kinds = (layers: Array<{ className: string }>) => new Set(layers.map((l) => l.className));
    const shipped = loadTrainConfig(BEST);
    expect(kinds(SMALL_BEST.layers)).toEqual(kinds(shipped.layers));
    expect(shipped.augmentation?.rotatedCopies).toBeDefined();
    expect(shipped.callbacks?.lrSchedule).toMatchObject({ type: 'oneCycle', maxLearningRate: 0.003 });
  });

  test('the exported run folder (the best epoch) matches tfjs cpu within 1e-5 on real test rows', async () => {
    const out = join(dir, 'best-small.onnx');
    const exported = await exportModelFile(runDir, out);
    expect(exported.opTypes).toMatchObject({ Conv: 3, BatchNormalization: 3 });

    const ds = await openDataset(dataPath);
    const { x, count } = ds.read('test');
    ds.close();
    const input = preprocessBatch(SEED_CONTRACT, x, count);
    await selectBackend('cpu');
    const model = await loadModelFromDir(runDir);
    // Trained BatchNormalization statistics have moved off their initial 0 and 1, so the check covers them.
    const means = model.weights.filter((w) => w.originalName.endsWith('moving_mean'));
    expect(means).toHaveLength(3);
    for (const m of means)
      expect(Math.max(...Array.from(m.read().dataSync(), Math.abs))).toBeGreaterThan(1e-3);
    const expected = tf.tidy(
      () =>
        (
          model.predict(tf.tensor(input, [count, ...SEED_CONTRACT.inputShape])) as tf.Tensor
        ).dataSync() as Float32Array,
    );
    model.dispose();

    const session = await ort.InferenceSession.create(out);
    const feeds = {
      [session.inputNames[0] as string]: new ort.Tensor('float32', input, [
        count,
        ...SEED_CONTRACT.inputShape,
      ]),
    };
    const actual = (await session.run(feeds))[session.outputNames[0] as string]?.data as Float32Array;
    await session.release();
    let worst = 0;
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    const metrics = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8'));
    expect(metrics.weights.weights).toBe('best epoch');
  });
});
