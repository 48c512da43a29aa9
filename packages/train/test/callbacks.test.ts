import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseCallbacks } from '../src/callbacks/config.js';
import {
  BestCheckpoint,
  EarlyStopping,
  type EpochLogs,
  ReduceLROnPlateau,
} from '../src/callbacks/keras-callbacks.js';
import { cosineDecay, oneCycle, scheduledRate } from '../src/callbacks/lr-schedules.js';
import { tinyConfig } from './tiny-config.js';

const torch = JSON.parse(readFileSync(new URL('./fixtures/lr-torch.json', import.meta.url), 'utf8')) as {
  oneCycle: Array<{
    case: {
      max_lr: number;
      total_steps: number;
      pct_start: number;
      div_factor: number;
      final_div_factor: number;
    };
    lr: number[];
  }>;
};

const logs = (val_loss: number, val_accuracy = 0): EpochLogs => ({
  val_loss,
  val_accuracy,
  loss: 0,
  accuracy: 0,
});

describe('learning-rate schedules', () => {
  test.each(torch.oneCycle.map((c) => [c.case.total_steps, c] as const))(
    "one-cycle over %i steps equals PyTorch's OneCycleLR (scripts/lr_reference.py) within 1e-15 relative",
    (_, { case: c, lr }) => {
      lr.forEach((expected, t) => {
        const got = oneCycle(t, c.total_steps, c.max_lr, c.pct_start, c.div_factor, c.final_div_factor);
        expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-15 * expected + 1e-20);
      });
    },
  );

  test("cosine is Keras's CosineDecay: base at 0, base·(1+α)/2 halfway, base·α from decaySteps on", () => {
    expect(cosineDecay(0, 0.01, 100, 0.1)).toBe(0.01);
    expect(cosineDecay(50, 0.01, 100, 0.1)).toBeCloseTo(0.01 * (0.9 * 0.5 + 0.1), 15);
    expect(cosineDecay(25, 0.01, 100, 0)).toBeCloseTo(0.01 * 0.5 * (1 + Math.SQRT1_2), 15);
    expect(cosineDecay(100, 0.01, 100, 0.1)).toBeCloseTo(0.001, 15);
    expect(cosineDecay(150, 0.01, 100, 0.1)).toBeCloseTo(0.001, 15);
  });

  test('per step counts steps over the whole run; per epoch holds one rate for an epoch', () => {
    const s = { type: 'oneCycle', per: 'step', pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 } as const;
    // epoch 2, step 3 of 10 steps per epoch = global step 23 of 50
    expect(scheduledRate(s, 3e-3, 2, 3, 10, 5)).toBe(oneCycle(23, 50, 3e-3, 0.3, 25, 1e4));
    const e = { type: 'cosine', per: 'epoch', alpha: 0 } as const;
    expect(scheduledRate(e, 1e-3, 2, 7, 10, 4)).toBe(cosineDecay(2, 1e-3, 4, 0));
  });
});

describe('Keras callback semantics', () => {
  test('ReduceLROnPlateau: patience, min_delta, factor, cooldown and min_lr as Keras counts them', () => {
    const cb = new ReduceLROnPlateau({
      monitor: 'val_loss',
      factor: 0.5,
      patience: 2,
      mode: 'auto',
      minDelta: 0.01,
      cooldown: 1,
      minLr: 0.02,
    });
    let lr = 0.1;
    const rates: number[] = [];
    // 1.0 is the best; 0.995 is not better by min_delta; the second epoch without improvement reduces.
    for (const v of [1.0, 0.995, 0.999, 0.998, 0.997, 0.996, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]) {
      lr = cb.onEpochEnd(logs(v), lr);
      rates.push(lr);
    }
    expect(rates).toEqual([
      0.1,
      0.1, // wait 1
      Math.fround(0.05), // wait 2 → reduce; cooldown 1
      Math.fround(0.05), // the cooldown counter runs out first (Keras decrements, then counts): wait 1
      Math.fround(0.025), // wait 2 → reduce; cooldown 1
      Math.fround(0.025), // cooldown runs out: wait 1
      Math.fround(0.025), // 0.5 improves: best 0.5, wait 0
      Math.fround(0.025), // wait 1
      Math.fround(0.02), // wait 2 → max(0.0125, min_lr)
      Math.fround(0.02), // wait 1
      Math.fround(0.02), // wait 2, but the rate is at min_lr: no change
      Math.fround(0.02),
    ]);
  });

  test("ReduceLROnPlateau's auto mode maximises accuracies", () => {
    const cb = new ReduceLROnPlateau({
      monitor: 'val_accuracy',
      factor: 0.1,
      patience: 1,
      mode: 'auto',
      minDelta: 0,
      cooldown: 0,
      minLr: 0,
    });
    expect(cb.onEpochEnd(logs(0, 0.5), 1)).toBe(1);
    expect(cb.onEpochEnd(logs(0, 0.6), 1)).toBe(1);
    expect(cb.onEpochEnd(logs(0, 0.55), 1)).toBe(Math.fround(0.1));
  });

  test('EarlyStopping: stops after patience epochs without an improvement above min_delta; baseline', () => {
    const cb = new EarlyStopping({
      monitor: 'val_loss',
      minDelta: 0.05,
      patience: 2,
      mode: 'auto',
      restoreBestWeights: true,
    });
    const seen = [1.0, 0.9, 0.87, 0.86, 0.8].map((v, e) => cb.onEpochEnd(e, logs(v)));
    expect(seen).toEqual([
      { best: true, stop: false },
      { best: true, stop: false },
      { best: false, stop: false }, // 0.87 + 0.05 is not below 0.9
      { best: false, stop: true },
      // (a caller stops here; a fifth epoch is shown for the state only)
      { best: true, stop: false },
    ]);
    const withBaseline = new EarlyStopping({
      monitor: 'val_accuracy',
      minDelta: 0,
      patience: 1,
      mode: 'auto',
      baseline: 0.9,
      restoreBestWeights: false,
    });
    // Improving but never beating the baseline does not reset the wait.
    expect(withBaseline.onEpochEnd(0, logs(0, 0.5))).toEqual({ best: true, stop: false });
    expect(withBaseline.onEpochEnd(1, logs(0, 0.6))).toEqual({ best: true, stop: false });
    expect(withBaseline.onEpochEnd(2, logs(0, 0.55))).toEqual({ best: false, stop: true });
    expect(withBaseline.state).toMatchObject({ bestEpoch: 1, stoppedEpoch: 2 });
  });

  test('the best-epoch checkpoint keeps the first epoch with the best value (strictly better replaces)', () => {
    const cb = new BestCheckpoint({ monitor: 'val_accuracy', mode: 'auto' });
    expect([0.5, 0.7, 0.7, 0.6].map((a, e) => cb.onEpochEnd(e, logs(0, a)))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(cb.state).toEqual({ best: 0.7, bestEpoch: 1 });
    const byLoss = new BestCheckpoint({ monitor: 'val_loss', mode: 'auto' });
    expect([2, 1, 3].map((l, e) => byLoss.onEpochEnd(e, logs(l)))).toEqual([true, true, false]);
  });
});

describe('callbacks config', () => {
  const parse = (callbacks: unknown, validationSplit = 0.2) =>
    parseCallbacks('c.json', callbacks, validationSplit);

  test('fills in Keras defaults', () => {
    expect(parse({ reduceLROnPlateau: {}, earlyStopping: {}, bestCheckpoint: {} })).toEqual({
      reduceLROnPlateau: {
        monitor: 'val_loss',
        factor: 0.1,
        patience: 10,
        mode: 'auto',
        minDelta: 1e-4,
        cooldown: 0,
        minLr: 0,
      },
      earlyStopping: {
        monitor: 'val_loss',
        minDelta: 0,
        patience: 0,
        mode: 'auto',
        restoreBestWeights: false,
      },
      bestCheckpoint: { monitor: 'val_loss', mode: 'auto' },
    });
    expect(parse({ lrSchedule: { type: 'oneCycle', maxLearningRate: 3e-3 } }).lrSchedule).toEqual({
      type: 'oneCycle',
      per: 'step',
      maxLearningRate: 3e-3,
      pctStart: 0.3,
      divFactor: 25,
      finalDivFactor: 1e4,
    });
  });

  test.each([
    [
      { lrSchedule: { type: 'step' } },
      `c.json: callbacks.lrSchedule: 'type' must be one of "cosine", "oneCycle", got "step"`,
    ],
    [
      { lrSchedule: { type: 'cosine', warmup: 3 } },
      "c.json: callbacks.lrSchedule (cosine): unknown key 'warmup' (allowed: type, per, alpha, decaySteps)",
    ],
    [
      { earlyStopping: { monitor: 'val_acc' } },
      `c.json: callbacks.earlyStopping: 'monitor' must be one of "val_loss", "val_accuracy", "val_dice", "loss", "accuracy", got "val_acc"`,
    ],
    [
      { lrSchedule: { type: 'cosine' }, reduceLROnPlateau: {} },
      "c.json: callbacks: 'lrSchedule' and 'reduceLROnPlateau' both set the learning rate; configure one of them",
    ],
    [
      { reduceLROnPlateau: { factor: 1 } },
      "c.json: callbacks.reduceLROnPlateau: 'factor' must be a number in (0, 1), got 1",
    ],
  ])('%j is refused in one line', (callbacks, message) => {
    expect(() => parse(callbacks)).toThrow(message);
  });

  test('a val_* monitor needs a validation split', () => {
    expect(() => parse({ bestCheckpoint: { monitor: 'val_accuracy' } }, 0)).toThrow(
      "c.json: callbacks.bestCheckpoint: monitor 'val_accuracy' needs a validationSplit above 0",
    );
    expect(parse({ bestCheckpoint: { monitor: 'accuracy' } }, 0).bestCheckpoint?.monitor).toBe('accuracy');
  });

  test('a config without callbacks has no callbacks key at all (the seed run is unchanged)', () => {
    expect('callbacks' in tinyConfig()).toBe(false);
    expect('augmentation' in tinyConfig()).toBe(false);
  });
});
