import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporaryPath } from '@conv3d/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildDataset,
  DataError,
  MNIST_DIGITS,
  openDataset,
  rowsOf,
  validationSplitIndex,
} from '../src/index.js';
import { readMnist } from '../src/mnist-idx.js';
import { buildRows, RecipeScratch } from '../src/recipe.js';

const dir = mkdtempSync(join(tmpdir(), 'conv3d-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIGITS = { train: 4, test: 2 };

describe('buildDataset (a small subset, built in-process)', () => {
  it.each(['gzip', 'none'] as const)(
    '%s: Kaggle layout, the recipe rows, progress to the end',
    async (compression) => {
      const out = join(dir, `small-${compression}.h5`);
      const progress: [number, number][] = [];
      const result = await buildDataset({
        out,
        seed: 3,
        compression,
        digits: DIGITS,
        workers: 0,
        onProgress: (done, total) => progress.push([done, total]),
      });
      expect(result).toMatchObject({ path: out, train: 8, test: 4 });
      expect(progress.at(-1)).toEqual([12, 12]);
      const ds = await openDataset(out);
      try {
        for (const split of ['train', 'test'] as const) {
          const info = ds.info(split);
          expect(info).toMatchObject({ rows: 2 * DIGITS[split], xDtype: 'float64', yDtype: 'int64' });
          expect(info.compression).toBe(compression === 'gzip' ? 'deflate(4)' : 'none');
          const expected = buildRows(readMnist(split, DIGITS[split]), split, 0, 2 * DIGITS[split], 3);
          const { x, y } = ds.read(split);
          expect(x).toEqual(expected.x);
          expect(y).toEqual(expected.y);
        }
      } finally {
        ds.close();
      }
      expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    },
  );

  it('h5py reads our file with the dtypes and shapes of Kaggle full_dataset_vectors.h5', () => {
    const script = [
      'import h5py, sys',
      'f = h5py.File(sys.argv[1], "r")',
      'for k in sorted(f): print(k, f[k].dtype, f[k].shape, repr(float(f[k][0].max())))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, join(dir, 'small-gzip.h5')], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([
      'X_test float64 (4, 4096) 1.0',
      'X_train float64 (8, 4096) 1.0',
      `y_test int64 (4,) ${readMnist('test', 1).labels[0]}.0`,
      `y_train int64 (8,) ${readMnist('train', 1).labels[0]}.0`,
    ]);
    const attrs = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import h5py, sys; f = h5py.File(sys.argv[1]); print(list(f.attrs["grid"]), list(f.attrs["labels"]))',
        join(dir, 'small-gzip.h5'),
      ],
      { encoding: 'utf8' },
    );
    expect(attrs.stdout.trim()).toBe("[16, 16, 16] ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']");
  });

  it('leaves nothing half-written when the output cannot be written', async () => {
    const blocked = join(dir, 'blocked');
    mkdirSync(blocked);
    const attempt = buildDataset({ out: blocked, digits: { train: 1, test: 1 }, workers: 0 });
    await expect(attempt).rejects.toThrow(DataError);
    await expect(attempt).rejects.toThrow(/blocked: cannot write HDF5 file/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(blocked)).toEqual([]);
  });

  it('grid 32: the originals are the numpy reference rows; the grid and labels are in the file', async () => {
    const out = join(dir, 'grid32.h5');
    // one digit per split is one class per split: the labels attribute keeps K = 10 anyway
    await buildDataset({ out, grid: 32, digits: { train: 1, test: 4 }, workers: 0 });
    const grids = JSON.parse(
      readFileSync(new URL('../fixtures/recipe/originals-grids.json', import.meta.url), 'utf8'),
    ) as { rows: { grid: number; split: string; index: number; nonzero: [number, number][] }[] };
    const ds = await openDataset(out);
    try {
      expect(ds.descriptor).toMatchObject({
        grid: [32, 32, 32],
        rawChannels: 1,
        counts: { train: 2, test: 8 },
      });
      expect(ds.descriptor.labels).toHaveLength(10);
      for (const [split, index] of [
        ['train', 0],
        ['test', 3],
      ] as const) {
        const ref = grids.rows.find((r) => r.grid === 32 && r.split === split && r.index === index);
        const expected = new Float64Array(32 ** 3);
        for (const [i, v] of ref?.nonzero ?? []) expected[i] = v;
        expect(ds.read(split, 2 * index, 1).x).toEqual(expected);
      }
    } finally {
      ds.close();
    }
  });

  it('--copies N: groups of 1 + N rows, originals and copy 1 as in the default file, float32 = rounded float64', async () => {
    const digits = { train: 5, test: 2 };
    const paths = {
      one: join(dir, 'copies-1.h5'),
      three: join(dir, 'copies-3.h5'),
      none: join(dir, 'copies-0.h5'),
      f32: join(dir, 'copies-3-f32.h5'),
    };
    await buildDataset({ out: paths.one, digits, seed: 5, workers: 0 });
    await buildDataset({ out: paths.three, digits, seed: 5, copies: 3, workers: 0 });
    await buildDataset({ out: paths.none, digits, seed: 5, copies: 0, workers: 0 });
    const built = await buildDataset({
      out: paths.f32,
      digits,
      seed: 5,
      copies: 3,
      dtype: 'float32',
      workers: 0,
    });
    expect(built).toMatchObject({
      train: 20,
      test: 8,
      copies: 3,
      dtype: 'float32',
      voxelBytes: 28 * 4096 * 4,
    });
    const [one, three, none, f32] = await Promise.all(Object.values(paths).map((p) => openDataset(p)));
    try {
      const V = 4096;
      const a = one?.read('train').x as Float64Array;
      const b = three?.read('train').x as Float64Array;
      const c = none?.read('train').x as Float64Array;
      expect(three?.count('train')).toBe(20);
      expect(none?.count('train')).toBe(5);
      const copies = new Set<string>();
      for (let digit = 0; digit < digits.train; digit++) {
        const original = a.subarray(2 * digit * V, (2 * digit + 1) * V);
        expect(b.subarray(4 * digit * V, (4 * digit + 1) * V)).toEqual(original);
        expect(c.subarray(digit * V, (digit + 1) * V)).toEqual(original);
        // copy 1 keeps the default file's stream; copies 2 and 3 are new, different rotations
        expect(b.subarray((4 * digit + 1) * V, (4 * digit + 2) * V)).toEqual(
          a.subarray((2 * digit + 1) * V, (2 * digit + 2) * V),
        );
        for (let k = 1; k <= 3; k++)
          copies.add(b.subarray((4 * digit + k) * V, (4 * digit + k + 1) * V).join());
      }
      expect(copies.size).toBe(3 * digits.train);
      const labels = readMnist('train', digits.train).labels;
      expect(three?.read('train').y).toEqual(
        Int32Array.from({ length: 20 }, (_, i) => labels[i >> 2] as number),
      );
      const g = f32?.info('train');
      expect(g).toMatchObject({ xDtype: 'float32', rows: 20 });
      const rounded = f32?.read('train').x;
      expect(rounded).toBeInstanceOf(Float32Array);
      expect(rounded).toEqual(Float32Array.from(b));
    } finally {
      for (const ds of [one, three, none, f32]) ds?.close();
    }
    const attrs = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import h5py, sys; print([int(h5py.File(p).attrs["rotated_copies"][0]) for p in sys.argv[1:]])',
        paths.one,
        paths.three,
        paths.none,
      ],
      { encoding: 'utf8' },
    );
    expect(attrs.stdout.trim()).toBe('[1, 3, 0]');
  });

  it('the default file does not change: its first rows are pinned (sha256 of full_dataset_vectors.h5 before issue 13)', async () => {
    const out = join(dir, 'pinned.h5');
    await buildDataset({ out, digits: { train: 3, test: 1 }, workers: 0 });
    const ds = await openDataset(out);
    try {
      const sha = (a: Float32Array | Float64Array) =>
        createHash('sha256')
          .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
          .digest('hex');
      expect(sha(ds.read('train').x)).toBe(
        '96bd4fd7fefeec990c89948b51dcf37ead2fd0fe8b698e27a496df9c63529d6c',
      );
      expect(sha(ds.read('test').x)).toBe('d5f40851dd9cb53cfb025954cf269559714b599fd25259ef15ad4caeb3e50db9');
      expect(Array.from(ds.read('train').y)).toEqual([5, 5, 0, 0, 4, 4]);
    } finally {
      ds.close();
    }
  });

  it('every MNIST digit: the last ones build, and the validation split holds whole digit groups', () => {
    const train = readMnist('train', MNIST_DIGITS.train);
    const rows = buildRows(train, 'train', 2 * 60000 - 2, 2 * 60000, 1, undefined, new RecipeScratch());
    expect(Array.from(rows.y)).toEqual([train.labels[59999], train.labels[59999]]);
    expect(Math.max(...rows.x)).toBe(1);
    expect(() => buildRows(train, 'train', 0, 2 * 60000 + 1, 1)).toThrow(/outside train \(0\.\.120000\)/);
    for (const copies of [0, 1, 4, 16]) {
      for (const digits of [5000, 60000, 45]) {
        const split = validationSplitIndex(rowsOf('train', digits, copies), 0.2);
        expect(split % (1 + copies)).toBe(0);
        expect(split / (1 + copies)).toBe(digits * 0.8);
      }
    }
  });

  it.runIf(existsSync('/dev/full'))(
    'a full disk (/dev/full: real ENOSPC) fails in one line naming the file, in memory or streamed, leaving nothing',
    async () => {
      for (const inMemoryLimit of [undefined, 0]) {
        const out = join(dir, `full-${inMemoryLimit ?? 'memory'}.h5`);
        // the temporary name is <out>.tmp-<pid>: pointing it at the kernel's always-full device makes every write fail
        symlinkSync('/dev/full', temporaryPath(out));
        const attempt = buildDataset({
          out,
          digits: { train: 40, test: 2 },
          workers: 0,
          ...(inMemoryLimit === undefined ? {} : { inMemoryLimit }),
        });
        await expect(attempt).rejects.toThrow(
          `${out}: disk full (no space left on device); the partial file was removed, nothing was written`,
        );
        expect(existsSync(out)).toBe(false);
        expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      }
    },
  );

  it('rejects bad options with one-line errors', async () => {
    const out = join(dir, 'never.h5');
    await expect(buildDataset({ out, grid: 7 })).rejects.toThrow(
      /grid must be an integer in \[8, 64\], got 7/,
    );
    await expect(buildDataset({ out, seed: -1 })).rejects.toThrow(/seed must be an integer/);
    await expect(buildDataset({ out, digits: { train: 0 } })).rejects.toThrow(
      /digits.train must be an integer in \[1, 60000\]/,
    );
    await expect(buildDataset({ out, digits: { test: 10001 } })).rejects.toThrow(
      /digits.test must be an integer in \[1, 10000\], got 10001/,
    );
    await expect(buildDataset({ out, copies: 17 })).rejects.toThrow(/copies must be an integer in \[0, 16\]/);
    await expect(buildDataset({ out, copies: 1.5 })).rejects.toThrow(/copies must be an integer/);
    await expect(buildDataset({ out, dtype: 'int8' as 'float32' })).rejects.toThrow(
      /dtype must be one of float64, float32, got 'int8'/,
    );
  });
});
