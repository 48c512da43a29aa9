// The shipped best config (configs/best-resnet.json: 'same' Conv3D without bias, BatchNormalization, ReLU,
// MaxPooling3D, residual Add merges, GlobalAveragePooling3D, Dense) through the whole path: a short seeded training
// run with its callbacks (EMA included) and fresh rotated copies, the run folder exported as conv3d-export does, and
// onnxruntime-node against tfjs cpu.
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

interface GraphLayer {
  name: string;
  className: string;
  config?: Record<string, unknown>;
  inputs?: string[];
}
const shippedRaw = JSON.parse(readFileSync(BEST, 'utf8')) as {
  graph: { layers: GraphLayer[] };
  callbacks: Record<string, unknown>;
};
const shippedLayers = shippedRaw.graph.layers;
const shippedCount = (className: string) => shippedLayers.filter((l) => l.className === className).length;

/**
 * The shipped graph at test width: every Conv3D at 4 filters (so each residual Add still adds equal shapes) and a
 * leading pool, so the stages run at 8³ and below on stock tfjs cpu; every layer, merge and setting else is the
 * shipped one. The weight average starts at epoch 1, so the two-epoch run exercises it.
 */
const SMALL_BEST = {
  ...shippedRaw,
  name: 'best-small',
  graph: {
    ...shippedRaw.graph,
    layers: [
      { name: 'test_pool', className: 'MaxPooling3D', config: { poolSize: 2 } },
      ...shippedLayers.map((l) =>
        l.className === 'Conv3D' ? { ...l, config: { ...l.config, filters: 4 } } : l,
      ),
    ],
  },
  callbacks: {
    ...shippedRaw.callbacks,
    weightAverage: { ...(shippedRaw.callbacks.weightAverage as object), startEpoch: 1 },
  },
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

describe('the best config through training, export and onnxruntime-node', () => {
  test("the test model uses every layer kind of the shipped best config (and the config's settings)", () => {
    const kinds = (layers: Array<{ className: string }>) => new Set(layers.map((l) => l.className));
    const shipped = loadTrainConfig(BEST);
    expect(shipped.graph).toBeDefined();
    expect(kinds(SMALL_BEST.graph.layers)).toEqual(kinds(shipped.layers));
    expect(shippedCount('Add')).toBeGreaterThan(0);
    expect(shipped.augmentation?.rotatedCopies).toBeDefined();
    expect(shipped.callbacks?.lrSchedule).toMatchObject({ type: 'oneCycle', maxLearningRate: 0.003 });
    expect(shipped.callbacks?.weightAverage).toMatchObject({ type: 'ema' });
  });

  test('the exported run folder (the weights validation kept) matches tfjs cpu within 1e-5 on real test rows', async () => {
    const out = join(dir, 'best-small.onnx');
    const exported = await exportModelFile(runDir, out);
    expect(exported.opTypes).toMatchObject({
      Conv: shippedCount('Conv3D'),
      BatchNormalization: shippedCount('BatchNormalization'),
    });
    // Keras's Add merge is ONNX's Sum, one per residual block.
    expect(exported.opTypes.Sum).toBe(shippedCount('Add'));

    const ds = await openDataset(dataPath);
    const { x, count } = ds.read('test');
    ds.close();
    const input = preprocessBatch(SEED_CONTRACT, x, count);
    await selectBackend('cpu');
    const model = await loadModelFromDir(runDir);
    // Trained BatchNormalization statistics have moved off their initial 0 and 1, so the check covers them.
    const means = model.weights.filter((w) => w.originalName.endsWith('moving_mean'));
    expect(means).toHaveLength(shippedCount('BatchNormalization'));
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
    // The average was scored (it starts at epoch 1 here), and the weights validation preferred were the ones saved
    // and exported: the average's when it was chosen, else the best epoch's.
    expect(metrics.weights.weightAverage).toMatchObject({ type: 'ema' });
    expect(metrics.weights.weights).toBe(
      metrics.weights.weightAverage.chosen ? 'weight average' : 'best epoch',
    );
  });
});
