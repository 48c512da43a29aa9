// Weight averaging: the EMA and SWA arithmetic against numpy (float32, the documented order), the config's
// checks, and a training run that scores the average each epoch, keeps the better weights, says which, and
// resumes bit for bit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED_CONTRACT } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readRows, type TrainingData } from '../src/batches.js';
import type { WeightAverageConfig } from '../src/callbacks/config.js';
import { WeightAverage } from '../src/callbacks/weight-average.js';
import { ConfigError } from '../src/config.js';
import { Evaluator } from '../src/evaluate.js';
import { loadModelFromDir } from '../src/model-io.js';
import { type TrainOptions, train } from '../src/train.js';
import { bestLikeConfig } from './best-like-config.js';
import { smallMnistBuild } from './mnist-build.js';

const PYTHON = '/usr/bin/python3';

/** numpy's float32 result of the same updates: the independent reference. */
function numpyAverage(type: 'ema' | 'swa', decay: number, steps: number[][]): number[] {
  const script = `
import json, sys
import numpy as np
kind, decay, steps = json.load(sys.stdin)
steps = [np.array(s, dtype=np.float32) for s in steps]
avg = steps[0].copy()
for n, w in enumerate(steps[1:], start=1):
    keep = decay if kind == 'ema' else n / (n + 1)
    avg = avg * np.float32(keep) + w * np.float32(1 - keep)
print(json.dumps([float(v) for v in avg]))
`;
  const out = execFileSync(PYTHON, ['-c', script], { input: JSON.stringify([type, decay, steps]) });
  return JSON.parse(out.toString()) as number[];
}

function denseModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [3], units: 4 }), tf.layers.batchNormalization()],
  });
  return model;
}

/** Feeds `steps` weight vectors (all weights flattened) through the average; returns it, flattened. */
async function runAverage(config: WeightAverageConfig, steps: Float32Array[]): Promise<Float32Array> {
  const model = denseModel();
  const average = new WeightAverage(config, model);
  const set = (flat: Float32Array): void => {
    let at = 0;
    model.setWeights(
      model.weights.map((w) => {
        const size = w.shape.reduce((a: number, b) => a * (b as number), 1);
        at += size;
        return tf.tensor(flat.subarray(at - size, at), w.shape as number[]);
      }),
    );
  };
  let captured = new Float32Array();
  const capture = async () => {
    captured = Float32Array.from(model.getWeights().flatMap((w) => [...(w.dataSync() as Float32Array)]));
    const part = { accuracy: 0, count: 0 };
    return { loss: 0, accuracy: 0, count: 0, confusion: [], originals: part, rotatedCopies: part };
  };
  for (const [i, step] of steps.entries()) {
    set(step);
    if (config.type === 'ema') average.afterStep(0);
    else await average.afterEpoch(i, capture);
  }
  if (config.type === 'ema') await average.afterEpoch(0, capture);
  average.dispose();
  model.dispose();
  return captured;
}

const EMA: WeightAverageConfig = {
  type: 'ema',
  decay: 0.9,
  startEpoch: 1,
  monitor: 'val_loss',
  mode: 'auto',
};

describe('the average', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  // Dense kernel 12 + bias 4, BN gamma, beta, moving mean, moving variance 4 each: 32 values per step.
  const steps = Array.from({ length: 7 }, (_, s) =>
    Float32Array.from({ length: 32 }, (_, i) => Math.sin(1.7 * i + 0.37 * s * s) * (1 + s)),
  );

  test('EMA equals numpy float32 avg·d + w·(1 − d) bit for bit, the first step copying', async () => {
    const ours = await runAverage({ ...EMA, decay: 0.9 }, steps);
    const reference = numpyAverage(
      'ema',
      0.9,
      steps.map((s) => [...s]),
    );
    expect([...ours]).toEqual(reference);
    // Not a copy of the last step, nor the plain mean.
    expect(ours[5]).not.toBe(steps[6]?.[5]);
  });

  test('SWA is the running mean of the epochs (numpy bit for bit, the float64 mean within 1e-6)', async () => {
    const ours = await runAverage({ ...EMA, type: 'swa' }, steps);
    expect([...ours]).toEqual(
      numpyAverage(
        'swa',
        0,
        steps.map((s) => [...s]),
      ),
    );
    steps[0]?.forEach((_, i) => {
      const mean = steps.reduce((a, s) => a + (s[i] as number), 0) / steps.length;
      expect(Math.abs((ours[i] as number) - mean)).toBeLessThan(1e-6 * (1 + Math.abs(mean)));
    });
  });
});

describe('config', () => {
  const layers = bestLikeConfig().layers;
  test('defaults, and one-line errors naming the field', () => {
    const parsed = bestLikeConfig({
      layers,
      callbacks: { weightAverage: { type: 'ema' }, bestCheckpoint: { monitor: 'val_accuracy' } },
    });
    expect(parsed.callbacks?.weightAverage).toEqual({
      type: 'ema',
      decay: 0.999,
      startEpoch: 1,
      monitor: 'val_accuracy',
      mode: 'auto',
    });
    expect(() => bestLikeConfig({ callbacks: { weightAverage: { type: 'ema', decay: 1 } } })).toThrow(
      /callbacks\.weightAverage: 'decay'/,
    );
    expect(() => bestLikeConfig({ callbacks: { weightAverage: { type: 'mean' } } })).toThrow(ConfigError);
    expect(() =>
      bestLikeConfig({
        callbacks: {
          weightAverage: { type: 'swa', monitor: 'val_loss' },
          bestCheckpoint: { monitor: 'val_accuracy' },
        },
      }),
    ).toThrow(/must equal bestCheckpoint's 'val_accuracy'/);
  });
});

describe('training with an EMA', () => {
  const root = mkdtempSync(join(tmpdir(), 'conv3d-average-'));
  let ds: TrainingData;
  beforeAll(async () => {
    ds = await smallMnistBuild();
  });
  afterAll(() => ds.close());
  const callbacks = {
    bestCheckpoint: { monitor: 'val_loss' },
    weightAverage: { type: 'ema', decay: 0.6, startEpoch: 2 },
  };
  const run = (outDir: string, epochs: number, options: Partial<TrainOptions> = {}) =>
    train({
      config: bestLikeConfig({ callbacks, epochs: 4 }),
      epochs,
      data: ds,
      backend: 'cpu',
      outDir: join(root, outDir),
      log: () => {},
      ...options,
    });
  const file = (dir: string, name: string): Buffer => readFileSync(join(root, dir, name));

  function validationLoss(model: tf.LayersModel): number {
    const { rawLength } = SEED_CONTRACT;
    const raw = readRows(ds, 'train', 60, rawLength);
    const evaluator = new Evaluator(model, SEED_CONTRACT);
    evaluator.add(raw.x.subarray(48 * rawLength), raw.y.subarray(48), 12, 48);
    return evaluator.result().loss;
  }

  test('scores the average from its start epoch, keeps the better weights and says which; resumes bit for bit', async () => {
    const lines: string[] = [];
    const whole = await run('whole', 4, { log: (l) => lines.push(l) });
    const outcome = whole.run.callbacks?.weightAverage;
    if (!outcome) throw new Error('no weightAverage outcome');
    expect(outcome.history.map((h) => h.epoch)).toEqual([2, 3, 4]);
    expect(lines.filter((l) => l.startsWith('  ema of the weights'))).toHaveLength(3);
    // The average is not the plain weights: its validation scores differ from the epochs'.
    outcome.history.forEach((h) => {
      expect(h.val_loss).not.toBe(whole.history.val_loss[h.epoch - 1]);
    });
    const bestAverage = Math.min(...outcome.history.map((h) => h.val_loss));
    const bestPlain = Math.min(...whole.history.val_loss);
    expect(outcome.best).toBe(bestAverage);
    expect(outcome.plain).toBe(bestPlain);
    expect(outcome.chosen).toBe(bestAverage < bestPlain);
    const saved = await loadModelFromDir(whole.outDir);
    expect(validationLoss(saved)).toBeCloseTo(outcome.chosen ? bestAverage : bestPlain, 6);
    saved.dispose();
    const metrics = JSON.parse(file('whole', 'metrics.json').toString());
    expect(metrics.weights.weights).toBe(outcome.chosen ? 'weight average' : 'best epoch');
    expect(metrics.weights.weightAverage.chosen).toBe(outcome.chosen);

    await run('resumed', 2).then((r) => r.dispose());
    const resumed = await run('resumed', 4, { resume: true });
    expect(resumed.run.resumedFromEpoch).toBe(2);
    expect(resumed.run.callbacks).toEqual(whole.run.callbacks);
    for (const name of ['history.json', 'metrics.json', 'weights.bin']) {
      expect(file('resumed', name), name).toEqual(file('whole', name));
    }
    whole.dispose();
    resumed.dispose();
  }, 600_000);
});
