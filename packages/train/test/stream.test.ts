// Streamed training: the schedule (seeded passes, steps_per_epoch), the bounded read-ahead, and bit-identity with
// the in-memory path on a real HDF5 file (in-process here; the worker thread is checked in cli-stream.test.ts).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveSeed, permutation, SEED_CONTRACT } from '@conv3d/core';
import { type Dataset3D, openDataset, type Split } from '@conv3d/data';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BatchReader, DEFAULT_DEPTH, Lookahead, rangeItems } from '../src/stream/batch-reader.js';
import { chooseLoading, STREAM_ABOVE_BYTES } from '../src/stream/mode.js';
import { BatchSchedule } from '../src/stream/schedule.js';
import { type TrainOptions, train } from '../src/train.js';
import { writeH5 } from './h5-writer.js';
import { syntheticDataset } from './synthetic.js';
import { tinyConfig } from './tiny-config.js';

const root = mkdtempSync(join(tmpdir(), 'conv3d-stream-'));
const quiet = (): void => {};
let small: Dataset3D;
let large: Dataset3D;

beforeAll(async () => {
  await writeH5(join(root, 'small.h5'), syntheticDataset({ train: 50, test: 20 }));
  await writeH5(join(root, 'large.h5'), syntheticDataset({ train: 400, test: 20 }));
  small = await openDataset(join(root, 'small.h5'));
  large = await openDataset(join(root, 'large.h5'));
});
afterAll(() => {
  small.close();
  large.close();
});

const concat = (parts: Uint32Array[]): number[] => parts.flatMap((p) => Array.from(p));

describe('BatchSchedule', () => {
  test('by default epoch e is the seeded permutation of pass e, cut into batches (the pre-streaming shuffle)', () => {
    const schedule = new BatchSchedule(25, 10, 5);
    expect(schedule.stepsPerEpoch).toBe(3);
    for (const epoch of [0, 1, 4]) {
      const steps = [0, 1, 2].map((s) => schedule.indices(epoch, s).slice());
      expect(steps.map((s) => s.length)).toEqual([10, 10, 5]);
      expect(concat(steps)).toEqual(Array.from(permutation(25, deriveSeed(5, epoch))));
    }
  });

  test('with steps per epoch, epochs continue through the passes where the last one stopped', () => {
    const schedule = new BatchSchedule(25, 10, 5, 2);
    const walked = concat([0, 1, 2].flatMap((e) => [0, 1].map((s) => schedule.indices(e, s).slice())));
    const passes = concat([0, 1].map((p) => permutation(25, deriveSeed(5, p))));
    // 6 steps = pass 0's three batches (10, 10, 5) and pass 1's three.
    expect(walked).toEqual(passes);
    expect(schedule.indices(1, 0)).toHaveLength(5);
  });
});

describe('chooseLoading', () => {
  const file = (xDtype: 'float32' | 'float64') =>
    ({
      ...small,
      readAt: small.readAt.bind(small),
      info: () => ({ ...small.info('train'), xDtype }),
    }) as Dataset3D;
  test('streams above 1 GiB of training rows in memory (float64 counted as 8 bytes), else reads them in', () => {
    const rows = Math.floor(STREAM_ABOVE_BYTES / (4096 * 8));
    expect(chooseLoading(undefined, file('float64'), rows, 4096, false).stream).toBe(false);
    expect(chooseLoading(undefined, file('float64'), rows + 1, 4096, false)).toEqual({
      stream: true,
      reason: 'the training rows would take 1.00 GiB in memory, above 1.00 GiB',
    });
    expect(chooseLoading(undefined, file('float32'), rows + 1, 4096, false).stream).toBe(false);
    expect(chooseLoading(false, file('float64'), 10 * rows, 4096, false).stream).toBe(false);
    expect(chooseLoading(undefined, file('float64'), 10 * rows, 4096, true).stream).toBe(false);
  });
});

describe('bounded read-ahead', () => {
  test(`a lookahead never has more than ${DEFAULT_DEPTH} batches requested beyond the ones handed out`, async () => {
    let reads = 0;
    const source = {
      readAt: (split: Split, indices: ArrayLike<number>) => {
        reads++;
        return small.readAt(split, indices);
      },
    };
    const reader = new BatchReader({ path: small.path, contract: SEED_CONTRACT, source, thread: false });
    const ahead = new Lookahead(reader, rangeItems('train', 0, 50, 5));
    for (let taken = 1; taken <= 10; taken++) {
      const batch = await ahead.next();
      expect(batch.count).toBe(5);
      expect(reads).toBeLessThanOrEqual(taken + DEFAULT_DEPTH);
    }
    expect(reader.peakQueued).toBe(DEFAULT_DEPTH);
    await reader.close();
  });

  test('a run queues as many batches on a file 8 times larger: memory follows the batch, not the file', async () => {
    const peaks = [];
    for (const data of [small, large]) {
      const result = await train({
        config: tinyConfig({ epochs: 1 }),
        data,
        backend: 'cpu',
        outDir: join(root, `peak-${data.count('train')}`),
        log: quiet,
        stream: true,
      });
      peaks.push(result.run.loading.peakQueuedBatches);
      result.dispose();
    }
    expect(peaks[0]).toBeLessThanOrEqual(2 * DEFAULT_DEPTH);
    expect(peaks[1]).toBe(peaks[0]);
  });
});

describe('streamed and in-memory runs give the same bits', () => {
  const run = (name: string, options: Partial<TrainOptions>) =>
    train({
      config: tinyConfig(),
      data: small,
      backend: 'cpu',
      outDir: join(root, name),
      log: quiet,
      ...options,
    });
  const files = (name: string) =>
    ['weights.bin', 'history.json', 'metrics.json'].map((f) => readFileSync(join(root, name, f)));

  test.each([
    ['one pass per epoch', {} as { stepsPerEpoch?: number }],
    ['--steps-per-epoch 3 (epochs cross pass boundaries)', { stepsPerEpoch: 3 }],
  ])('%s', async (_, extra) => {
    const memory = await run('memory', { ...extra, stream: false });
    const streamed = await run('streamed', { ...extra, stream: true });
    expect(memory.run.loading).toMatchObject({ mode: 'memory', reason: 'asked (--no-stream)' });
    expect(streamed.run.loading).toMatchObject({ mode: 'stream', workerThread: false });
    expect(streamed.run.loading.epochWaitSeconds).toHaveLength(3);
    expect(streamed.run.loading.stepsPerEpoch).toBe(extra.stepsPerEpoch ?? 4);
    const [a, b] = [files('memory'), files('streamed')];
    for (const [i, bytes] of a.entries()) expect(bytes.equals(b[i] as Buffer)).toBe(true);
    expect(streamed.test).toEqual(memory.test);
    memory.dispose();
    streamed.dispose();
  });

  test('--steps-per-epoch survives a resume: 1 epoch, then --resume to 3, ends where 3 straight epochs do', async () => {
    const config = (epochs: number) => tinyConfig({ epochs, stepsPerEpoch: 3 });
    const whole = await run('spe-whole', { config: config(3), stream: true });
    (await run('spe-split', { config: config(1), stream: true })).dispose();
    const resumed = await run('spe-split', { config: config(3), stream: true, resume: true });
    expect(resumed.run.resumedFromEpoch).toBe(1);
    const [a, b] = [files('spe-whole'), files('spe-split')];
    for (const [i, bytes] of a.slice(0, 2).entries()) expect(bytes.equals(b[i] as Buffer)).toBe(true);
    whole.dispose();
    resumed.dispose();
  });

  test('auto: a small file is read into memory, and --stream is refused with online augmentation', async () => {
    const auto = await run('auto', { config: tinyConfig({ epochs: 1 }) });
    expect(auto.run.loading.mode).toBe('memory');
    expect(auto.run.loading.reason).toMatch(
      /^the training rows take 0\.00 GiB in memory, at most 1\.00 GiB$/,
    );
    auto.dispose();
    await expect(
      run('aug', {
        config: tinyConfig({ augmentation: { voxel: { flip: { axes: ['x'] } } } }),
        stream: true,
      }),
    ).rejects.toThrow(/^--stream: online augmentation reads the training rows into memory/);
  });
});
