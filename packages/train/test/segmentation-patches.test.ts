// A U-Net trains on random patches of larger volumes: the contract's grid is the patch, validation and test score
// whole volumes through core's sliding windows, a resumed run equals an uninterrupted one, streamed batches train
// as in-memory ones, and a patch larger than the volumes or a pos/neg pair of zeros fails in one line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildShapesSeg } from '@conv3d/data';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, parseTrainConfig, type TrainConfig } from '../src/config.js';
import type { SegmentationEvaluation } from '../src/tasks/segmentation.js';
import { type TrainOptions, train } from '../src/train.js';

const TINY = fileURLToPath(new URL('../configs/unet3d-tiny.json', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'conv3d-seg-patches-'));
const data = join(root, 'seg.h5');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await buildShapesSeg(data, { seed: 3, rows: { train: 6, test: 2 }, grid: [4, 8, 8] });
});

const patched = (segmentation: object = {}): TrainConfig => {
  const raw = JSON.parse(readFileSync(TINY, 'utf8'));
  raw.segmentation = { flip: ['x'], patch: [4, 4, 4], pos: 1, neg: 1, numSamples: 2, ...segmentation };
  return parseTrainConfig(raw, TINY);
};
const run = (name: string, options: Partial<TrainOptions> = {}) =>
  train({ config: patched(), data, backend: 'cpu', outDir: join(root, name), log: () => {}, ...options });

describe('segmentation on random patches', () => {
  test('the contract grid is the patch; test Dice and confusion cover whole volumes', async () => {
    const result = await run('patches');
    const meta = JSON.parse(readFileSync(join(result.outDir, 'model.json'), 'utf8')).userDefinedMetadata
      .conv3d;
    expect(meta['conv3d.grid']).toBe('[4,4,4]');
    expect(result.model.inputs[0]?.shape).toEqual([null, 4, 4, 4, 1]);
    const test = result.test as SegmentationEvaluation;
    expect(test.count).toBe(2);
    expect(test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(2 * 4 * 8 * 8);
    expect(Number.isFinite(test.loss)).toBe(true);
    result.dispose();
  });

  test('seeded and resumable: 1 epoch then --resume to 2 equals 2 straight; streaming equals memory', async () => {
    const straight = await run('straight', { stream: false });
    const first = await run('resumed', { epochs: 1, stream: false });
    first.dispose();
    const resumed = await run('resumed', { resume: true, stream: false });
    expect(resumed.history.loss).toEqual(straight.history.loss);
    expect(resumed.model.getWeights().map((w) => [...w.dataSync()])).toEqual(
      straight.model.getWeights().map((w) => [...w.dataSync()]),
    );
    const streamed = await run('streamed', { stream: true, streamThread: false });
    expect(streamed.run.loading.mode).toBe('stream');
    expect(streamed.history).toEqual(straight.history);
    for (const r of [straight, resumed, streamed]) r.dispose();
  });

  test('a patch larger than the volumes, or pos and neg both 0, fails in one line', async () => {
    await expect(run('big', { config: patched({ patch: [4, 16, 8] }) })).rejects.toThrow(
      /segmentation\.patch 4×16×8 is larger than the data's volumes 4×8×8 along an axis$/,
    );
    expect(() => patched({ pos: 0, neg: 0 })).toThrow(ConfigError);
    expect(() => patched({ pos: 0, neg: 0 })).toThrow(
      /segmentation: pos and neg are both 0; at least one must be positive$/,
    );
    expect(() => patched({ neg: -1 })).toThrow(/segmentation: 'neg' must be a number ≥ 0, got -1$/);
  });
});
