// Training runs with augmentation and callbacks on a small real 3D MNIST build: resumes continue bit for bit,
// the run folder keeps the best epoch, early stopping stops and stays stopped, the report shows the splits.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED_CONTRACT } from '@conv3d/core';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readRows, type TrainingData } from '../src/batches.js';
import { scheduledRate } from '../src/callbacks/lr-schedules.js';
import { Evaluator } from '../src/evaluate.js';
import { loadModelFromDir } from '../src/model-io.js';
import { type TrainOptions, type TrainResult, train } from '../src/train.js';
import { bestLikeConfig } from './best-like-config.js';
import { smallMnistBuild } from './mnist-build.js';

const root = mkdtempSync(join(tmpdir(), 'conv3d-callbacks-'));
let ds: TrainingData;
beforeAll(async () => {
  ds = await smallMnistBuild();
});
afterAll(() => ds.close());

const augmentation = {
  seed: 3,
  rotatedCopies: { source: 'mnist-train', originalRows: 'even' },
  voxel: { rotate: { maxDegrees: 10 }, intensityNoise: { std: 0.02 } },
};

function run(outDir: string, overrides: Record<string, unknown>, options: Partial<TrainOptions> = {}) {
  return train({
    config: bestLikeConfig(overrides),
    data: ds,
    backend: 'cpu',
    outDir: join(root, outDir),
    log: () => {},
    ...options,
  });
}

const weightsOf = (model: tf.LayersModel): Float32Array[] =>
  model.getWeights().map((w) => w.dataSync() as Float32Array);
const file = (r: TrainResult, name: string): Buffer => readFileSync(join(r.outDir, name));

function validationAccuracy(model: tf.LayersModel): number {
  const raw = readRows(ds, 'train', 60, SEED_CONTRACT.rawLength);
  const evaluator = new Evaluator(model, SEED_CONTRACT);
  evaluator.add(raw.x.subarray(48 * SEED_CONTRACT.rawLength), raw.y.subarray(48), 12, 48);
  return evaluator.result().accuracy;
}

describe('augmentation + ReduceLROnPlateau + EarlyStopping + best epoch', () => {
  const callbacks = {
    reduceLROnPlateau: { monitor: 'val_loss', patience: 0, factor: 0.5, minDelta: 0 },
    earlyStopping: { monitor: 'val_loss', patience: 5, restoreBestWeights: true },
    bestCheckpoint: { monitor: 'val_accuracy' },
  };
  let whole: TrainResult;

  test('resumed after epoch 1, the run ends exactly as the uninterrupted one: history, weights, files', async () => {
    whole = await run('whole', { augmentation, callbacks });
    await run('resumed', { augmentation, callbacks, epochs: 1 }).then((r) => r.dispose());
    const resumed = await run('resumed', { augmentation, callbacks }, { resume: true });
    expect(resumed.run.resumedFromEpoch).toBe(1);
    expect(resumed.history).toEqual(whole.history);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(whole.model));
    // (model.json differs in tfjs's generated layer names, which count models built in the process.)
    for (const name of ['history.json', 'metrics.json', 'weights.bin']) {
      expect(file(resumed, name), name).toEqual(file(whole, name));
    }
    resumed.dispose();
  }, 600_000);

  test('the learning rate is logged per epoch and halves after each epoch without a better val_loss', () => {
    const { learning_rate: lr, val_loss } = whole.history;
    expect(lr).toHaveLength(3);
    expect(lr?.[0]).toBe(0.01);
    for (let e = 1; e < 3; e++) {
      // Best so far before epoch e − 1 (none before the first): Infinity.
      const improved = (val_loss[e - 1] as number) < Math.min(...val_loss.slice(0, e - 1));
      expect(lr?.[e]).toBe(improved ? lr?.[e - 1] : Math.fround((lr?.[e - 1] as number) * 0.5));
    }
  });

  test("the run folder's model is the best epoch's, and says which epoch", async () => {
    const va = whole.history.val_accuracy;
    const best = va.indexOf(Math.max(...va)) + 1;
    expect(whole.run.callbacks).toEqual({ weights: 'best epoch', bestEpoch: best });
    const metrics = JSON.parse(file(whole, 'metrics.json').toString());
    expect(metrics.weights).toEqual({ weights: 'best epoch', bestEpoch: best });
    const saved = await loadModelFromDir(whole.outDir);
    expect(validationAccuracy(saved)).toBe(va[best - 1]);
    saved.dispose();
    expect(file(whole, 'report.html').toString()).toContain(`best epoch (epoch ${best})`);
    whole.dispose();
  });
});

describe('EarlyStopping', () => {
  // A loss monitored with mode 'max' never improves after epoch 1 while training lowers it: stops after epoch 2.
  const callbacks = {
    earlyStopping: { monitor: 'loss', mode: 'max', patience: 0, restoreBestWeights: true },
  };

  test('stops the run, restores the best weights, and a resume of a stopped run trains no further', async () => {
    const lines: string[] = [];
    const stopped = await run('stopped', { callbacks, epochs: 4 }, { log: (l) => lines.push(l) });
    expect(stopped.history.loss).toHaveLength(2);
    expect(stopped.run.callbacks).toEqual({ weights: 'early stopping', bestEpoch: 1, stoppedEpoch: 2 });
    expect(lines).toContain('EarlyStopping: stopped after epoch 2');
    const epoch1 = await run('epoch1', { callbacks, epochs: 1 });
    expect(weightsOf(stopped.model)).toEqual(weightsOf(epoch1.model));
    const again = await run('stopped', { callbacks, epochs: 4 }, { resume: true });
    expect(again.history).toEqual(stopped.history);
    expect(again.run.timings.epochSeconds).toHaveLength(2);
    for (const r of [stopped, epoch1, again]) r.dispose();
  }, 600_000);
});

describe('one-cycle per step with fresh copies', () => {
  test('logs the last step’s rate per epoch, draws it, and reports originals against rotated copies', async () => {
    const callbacks = { lrSchedule: { type: 'oneCycle', maxLearningRate: 0.02, per: 'step' } };
    const result = await run('one-cycle', { augmentation, callbacks, epochs: 2 });
    // 24 originals + 24 fresh copies per epoch, batch 24: 2 steps per epoch.
    expect(result.run.augmentation).toMatchObject({ epochRows: 48, workerThread: false });
    const schedule = result.run.config.callbacks?.lrSchedule;
    if (!schedule) throw new Error('no schedule in the run record');
    expect(result.history.learning_rate).toEqual(
      [0, 1].map((e) => scheduledRate(schedule, 0.01, e, 1, 2, 2)),
    );
    expect(existsSync(join(result.outDir, 'learning-rate.svg'))).toBe(true);
    const { test: t } = JSON.parse(file(result, 'metrics.json').toString());
    expect(t.originals.count + t.rotatedCopies.count).toBe(20);
    expect(t.originals.count).toBe(10);
    expect((t.originals.accuracy * 10 + t.rotatedCopies.accuracy * 10) / 20).toBeCloseTo(t.accuracy, 12);
    const report = file(result, 'report.html').toString();
    expect(report).toContain('originals (even rows)');
    expect(report).toContain('learning_rate');
    expect(report.match(/<svg/g)).toHaveLength(3);
    result.dispose();
  }, 600_000);
});
