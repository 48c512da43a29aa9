import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, SEED_CONTRACT } from '@conv3d/core';
import { DataError, MnistCopies } from '@conv3d/data';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  AugmentationConfig,
  RotatedCopiesConfig,
  VoxelAugmentationConfig,
} from '../src/augmentation/config.js';
import { EpochRowMaker, epochItems, epochSize, type StoredRows } from '../src/augmentation/epoch-rows.js';
import { AugmentationFeed } from '../src/augmentation/feed.js';
import { prepareAugmentation } from '../src/augmentation/prepare.js';
import { readRows, type TrainingData } from '../src/batches.js';
import { parseTrainConfig } from '../src/config.js';
import { smallMnistBuild } from './mnist-build.js';
import { syntheticDataset } from './synthetic.js';
import { tinyConfig } from './tiny-config.js';

const SPLIT = 48; // 60 training rows, validation split 0.2: rows 48–59 (digits 24–29) are validation rows
const ORIGINALS = 24;

const rotatedCopies: RotatedCopiesConfig = {
  source: 'mnist-train',
  originalRows: 'even',
  copiesPerOriginal: 2,
  keepOriginals: true,
  keepStoredCopies: false,
};
const voxel: VoxelAugmentationConfig = {
  flip: { axes: ['x'], probability: 0.5 },
  shift: { max: 1, probability: 1 },
};
const copiesOnly: AugmentationConfig = { seed: 9, rotatedCopies };
const withVoxel: AugmentationConfig = { ...copiesOnly, voxel };

let ds: TrainingData;
let stored: StoredRows;
beforeAll(async () => {
  ds = await smallMnistBuild();
  const raw = readRows(ds, 'train', 60, SEED_CONTRACT.rawLength, { shared: true });
  stored = { x: raw.x, y: raw.y, split: SPLIT, contract: SEED_CONTRACT };
});
afterAll(() => ds.close());

const row = (x: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, i: number) =>
  Array.from(x.subarray(i * 4096, (i + 1) * 4096));

describe("an epoch's items: training rows only, fresh copies of the originals", () => {
  test('originals (even rows below the split) plus N fresh copies of each, shuffled per epoch', () => {
    const items = epochItems(SPLIT, copiesOnly, 1, 0);
    expect(items.length).toBe(ORIGINALS * 3);
    expect(epochSize(SPLIT, copiesOnly)).toBe(items.length);
    const storedRows = [...items].filter((i) => i >= 0).sort((a, b) => a - b);
    expect(storedRows).toEqual(Array.from({ length: ORIGINALS }, (_, i) => 2 * i));
    const codes = [...items].filter((i) => i < 0).map((i) => -1 - i);
    expect(new Set(codes).size).toBe(2 * ORIGINALS);
    // Every copy is of a training original: digit = code mod originals < 24, never a validation digit.
    expect(Math.max(...codes.map((c) => c % ORIGINALS))).toBe(ORIGINALS - 1);
    expect(epochItems(SPLIT, copiesOnly, 1, 0)).toEqual(items);
    expect(epochItems(SPLIT, copiesOnly, 1, 1)).not.toEqual(items);
    const withStored = {
      ...copiesOnly,
      rotatedCopies: { ...rotatedCopies, keepStoredCopies: true },
    };
    expect(epochSize(SPLIT, withStored)).toBe(SPLIT + 2 * ORIGINALS);
    expect(Math.max(...epochItems(SPLIT, withStored, 1, 0))).toBe(SPLIT - 1);
  });

  test('voxel augmentation alone trains on every training row, none of the validation rows', () => {
    const items = epochItems(SPLIT, { seed: 1, voxel: voxel }, 1, 0);
    expect([...items].sort((a, b) => a - b)).toEqual(Array.from({ length: SPLIT }, (_, i) => i));
  });
});

describe('EpochRowMaker', () => {
  test("a fresh copy is the recipe's rotation of its digit, from a stream keyed by (seed, epoch, copy)", () => {
    const maker = new EpochRowMaker(stored, copiesOnly);
    const copies = new MnistCopies(ORIGINALS);
    const code = ORIGINALS + 5; // second copy of digit 5
    const batch = maker.make(3, Int32Array.of(-1 - code, 10));
    const expected = new Float64Array(4096);
    copies.rotatedCopy(5, new Rng(9, 3, 1, code), expected, 0);
    expect(row(batch.x, 0)).toEqual(Array.from(expected));
    expect(batch.y[0]).toBe(stored.y[10]);
    // Stored rows pass through untouched when no voxel augmentation is set.
    expect(row(batch.x, 1)).toEqual(row(stored.x, 10));
    expect(batch.y[1]).toBe(stored.y[10]);
    // Another epoch, another copy; the same epoch, the same bytes.
    expect(row(maker.make(4, Int32Array.of(-1 - code)).x, 0)).not.toEqual(row(batch.x, 0));
    expect(maker.make(3, Int32Array.of(-1 - code, 10))).toEqual(batch);
  });

  test('voxel augmentation changes stored rows and copies, deterministically', () => {
    const maker = new EpochRowMaker(stored, withVoxel);
    const a = maker.make(0, Int32Array.of(0, 2, -1));
    expect(maker.make(0, Int32Array.of(0, 2, -1))).toEqual(a);
    expect(row(a.x, 0)).not.toEqual(row(stored.x, 0));
  });
});

const DIST_FEED = fileURLToPath(new URL('../dist/augmentation/feed.js', import.meta.url));
const DIST_BATCHES = fileURLToPath(new URL('../dist/batches.js', import.meta.url));
const digest = (b: unknown): string => {
  const { x, y } = b as { x: Float64Array; y: Int32Array };
  return createHash('sha256').update(new Uint8Array(x.buffer)).update(new Uint8Array(y.buffer)).digest('hex');
};

describe('AugmentationFeed', () => {
  const batchesOf = async (feed: { next(e: number, s: number): Promise<unknown>; stepsPerEpoch: number }) => {
    const out: unknown[] = [];
    for (let epoch = 1; epoch < 3; epoch++) {
      for (let step = 0; step < feed.stepsPerEpoch; step++) out.push(await feed.next(epoch, step));
    }
    return out;
  };
  const options = { augmentation: withVoxel, runSeed: 4, batchSize: 10, startEpoch: 1, epochs: 3 };

  test('the worker thread, prefetching across epochs, gives exactly the in-process batches', async () => {
    const local = new AugmentationFeed({ ...options, stored, thread: false });
    const expected = (await batchesOf(local)).map(digest);
    await local.close();
    expect(local.threaded).toBe(false);
    expect(local.stepsPerEpoch).toBe(Math.ceil((3 * ORIGINALS) / 10));
    expect(expected).toHaveLength(2 * local.stepsPerEpoch);
    // The compiled feed, in a plain Node process (a worker started inside vitest would resolve the TypeScript sources).
    const script = `
      import { SEED_CONTRACT } from '@conv3d/core';
      import { openDataset } from '@conv3d/data';
      import { createHash } from 'node:crypto';
      import { AugmentationFeed } from ${JSON.stringify(DIST_FEED)};
      import { readRows } from ${JSON.stringify(DIST_BATCHES)};
      const ds = await openDataset(${JSON.stringify(ds.path)});
      const raw = readRows(ds, 'train', 60, SEED_CONTRACT.rawLength, { shared: true });
      const feed = new AugmentationFeed({ ...${JSON.stringify(options)}, stored: { ...raw, split: ${SPLIT}, contract: SEED_CONTRACT }, thread: true, depth: 3 });
      const out = [];
      for (let epoch = 1; epoch < 3; epoch++)
        for (let step = 0; step < feed.stepsPerEpoch; step++) {
          const b = await feed.next(epoch, step);
          out.push(createHash('sha256').update(new Uint8Array(b.x.buffer)).update(new Uint8Array(b.y.buffer)).digest('hex'));
        }
      await feed.close();
      console.log(JSON.stringify({ threaded: feed.threaded, out }));`;
    const file = fileURLToPath(new URL('../test-artifacts/threaded-feed.mjs', import.meta.url));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, script);
    // Without vitest's NODE_OPTIONS: the child resolves the workspace packages' compiled dist as users do.
    const { NODE_OPTIONS: _, ...env } = process.env;
    const child = spawnSync(process.execPath, [file], { encoding: 'utf8', env });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ threaded: true, out: expected });
  });

  test('asking out of order is a bug, and says so', async () => {
    const feed = new AugmentationFeed({ ...options, stored, thread: false });
    expect(() => feed.next(1, 1)).toThrow(
      'augmentation feed: asked for epoch 1 step 1, next is epoch 1 step 0',
    );
    await feed.close();
  });
});

describe('the data file check', () => {
  test('refuses, in one line, a file whose even rows are not the MNIST train images', () => {
    const synthetic = syntheticDataset({ train: 20, test: 4 });
    const raw = readRows(synthetic, 'train', 20, SEED_CONTRACT.rawLength);
    expect(() =>
      prepareAugmentation('synthetic.h5', copiesOnly, { ...raw, split: 16, contract: SEED_CONTRACT }),
    ).toThrow(DataError);
    expect(() =>
      prepareAugmentation('synthetic.h5', copiesOnly, { ...raw, split: 16, contract: SEED_CONTRACT }),
    ).toThrow(
      /^synthetic\.h5: not the 3D MNIST build online augmentation needs \(row 2i = MNIST train image i\): train row \d+ /,
    );
    // Voxel augmentation alone works on any dataset.
    expect(
      prepareAugmentation(
        'synthetic.h5',
        { seed: 1, voxel: voxel },
        { ...raw, split: 16, contract: SEED_CONTRACT },
      ).epochRows,
    ).toBe(16);
  });

  test('names the grid when the augmentation does not fit it', () => {
    const raw = { x: new Float32Array(16 * 120), y: new Int32Array(16) };
    const grid = { grid: [3, 4, 5] as const, rawChannels: 2, rawLength: 120 };
    expect(() => prepareAugmentation('own.h5', copiesOnly, { ...raw, split: 16, contract: grid })).toThrow(
      'own.h5: augmentation.rotatedCopies needs a 3D MNIST build (cubic grid, 1 channel), the file holds 3×4×5×2',
    );
    const turns = { seed: 1, voxel: { rotate90: { planes: ['yz' as const], probability: 0.5 } } };
    expect(() => prepareAugmentation('own.h5', turns, { ...raw, split: 16, contract: grid })).toThrow(
      "augmentation.voxel.rotate90.planes: a quarter turn in 'yz' needs equal sizes along y and z, the grid has 4 and 3 (own.h5)",
    );
    const flips = { seed: 1, voxel: { flip: { axes: ['x' as const, 'z' as const], probability: 0.5 } } };
    expect(prepareAugmentation('own.h5', flips, { ...raw, split: 16, contract: grid }).epochRows).toBe(16);
  });

  test('accepts the 3D MNIST build', () => {
    expect(prepareAugmentation(ds.path, copiesOnly, stored).epochRows).toBe(3 * ORIGINALS);
  });
});

describe('augmentation config', () => {
  const parse = (augmentation: unknown) => parseTrainConfig({ ...baseRaw(), augmentation }, 'a.json');

  test('defaults: the run seed, one copy per original, originals kept, stored copies dropped', () => {
    expect(parse({ rotatedCopies: { source: 'mnist-train', originalRows: 'even' } }).augmentation).toEqual({
      seed: 11,
      rotatedCopies: {
        source: 'mnist-train',
        originalRows: 'even',
        copiesPerOriginal: 1,
        keepOriginals: true,
        keepStoredCopies: false,
      },
    });
  });

  test.each([
    [{}, "a.json: augmentation: names no augmentation (expected 'rotatedCopies' and/or 'voxel')"],
    [
      { rotatedCopies: { source: 'mnist-train' } },
      "a.json: augmentation.rotatedCopies: missing required key 'originalRows'",
    ],
    [
      { rotatedCopies: { source: 'mnist-train', originalRows: 'odd' } },
      `a.json: augmentation.rotatedCopies: 'originalRows' must be one of "even", got "odd"`,
    ],
    [
      { voxel: { flip: { axes: ['w'] } } },
      `a.json: augmentation.voxel.flip: 'axes' must be a non-empty list of distinct values from "x", "y", "z", got ["w"]`,
    ],
    [
      { voxel: { rotate: { maxDegrees: 90 } } },
      "a.json: augmentation.voxel.rotate: 'maxDegrees' must be a number in (0, 45], got 90",
    ],
  ])('%j is refused in one line', (augmentation, message) => {
    expect(() => parse(augmentation)).toThrow(message);
  });
});

function baseRaw(): Record<string, unknown> {
  const c = tinyConfig();
  return {
    ...c,
    loss: 'categorical_crossentropy',
    optimizer: { className: 'Adam', config: c.optimizer.config },
  };
}
