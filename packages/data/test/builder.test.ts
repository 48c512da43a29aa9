import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataset, DataError, openDataset } from '../src/index.js';
import { readMnist } from '../src/mnist-idx.js';
import { buildRows } from '../src/recipe.js';

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

  it('rejects bad options with one-line errors', async () => {
    const out = join(dir, 'never.h5');
    await expect(buildDataset({ out, grid: 7 })).rejects.toThrow(
      /grid must be an integer in \[8, 64\], got 7/,
    );
    await expect(buildDataset({ out, seed: -1 })).rejects.toThrow(/seed must be an integer/);
    await expect(buildDataset({ out, digits: { train: 0 } })).rejects.toThrow(
      /digits.train must be an integer in \[1, 5000\]/,
    );
    await expect(buildDataset({ out, digits: { test: 1001 } })).rejects.toThrow(/digits.test/);
  });
});
