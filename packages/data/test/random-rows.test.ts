// Random-row reads (Dataset3D.readAt) against h5py's fancy indexing, on contiguous, chunked and gzip files of
// float32 and float64, and the read plan they rest on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, openDataset, planSpans } from '../src/index.js';

// Writes one file per layout, plus the indices h5py picks and the rows it reads at them (stored dtype, raw bytes).
const SCRIPT = `
import sys, numpy as np, h5py
out = sys.argv[1]
rng = np.random.default_rng(7)
rows, grid = 300, (4, 4, 4)
for name, dtype, kw in [
    ('contig-f32', 'float32', {}),
    ('contig-f64', 'float64', {}),
    ('chunked-f32', 'float32', {'chunks': (7, 64)}),
    ('gzip-f64', 'float64', {'chunks': (16, 64), 'compression': 'gzip', 'compression_opts': 4}),
    ('gzip-f32', 'float32', {'chunks': (50, 64), 'compression': 'gzip', 'shuffle': True}),
]:
    x = rng.random((rows, 64)).astype(dtype)
    x[:, 0] = np.arange(rows)
    y = rng.integers(0, 10, rows)
    y[:10] = np.arange(10)
    with h5py.File(f'{out}/{name}.h5', 'w') as f:
        f.create_dataset('X_train', data=x, **kw)
        f.create_dataset('y_train', data=y)
        f.create_dataset('X_test', data=x[:60], **kw)
        f.create_dataset('y_test', data=y[:60])
        f.attrs['grid'] = grid
    idx = np.concatenate([rng.permutation(rows)[:100], [5, 5, 299, 0]]).astype(np.int32)
    idx.tofile(f'{out}/{name}.idx')
    with h5py.File(f'{out}/{name}.h5', 'r') as f:
        order = np.argsort(idx, kind='stable')
        uniq, inverse = np.unique(idx, return_inverse=True)
        f['X_train'][uniq][inverse].tofile(f'{out}/{name}.rows')
        f['y_train'][uniq][inverse].astype(np.int32).tofile(f'{out}/{name}.labels')
`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conv3d-rows-'));
  const run = spawnSync('/usr/bin/python3', ['-c', SCRIPT, dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`h5py fixture script failed: ${run.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('readAt equals h5py fancy indexing, bit for bit', () => {
  it.each([
    ['contig-f32', Float32Array, 'none'],
    ['contig-f64', Float64Array, 'none'],
    ['chunked-f32', Float32Array, 'none'],
    ['gzip-f64', Float64Array, 'deflate'],
    ['gzip-f32', Float32Array, 'deflate'],
  ] as const)('%s', async (name, Type, filter) => {
    const ds = await openDataset(join(dir, `${name}.h5`));
    try {
      expect(ds.info('train').compression).toContain(filter);
      const idxBytes = readFileSync(join(dir, `${name}.idx`));
      const indices = new Int32Array(idxBytes.buffer, idxBytes.byteOffset, idxBytes.length / 4);
      const got = ds.readAt('train', indices);
      expect(got.count).toBe(indices.length);
      expect(got.x).toBeInstanceOf(Type);
      expect(bytesOf(got.x).equals(readFileSync(join(dir, `${name}.rows`)))).toBe(true);
      expect(bytesOf(got.y).equals(readFileSync(join(dir, `${name}.labels`)))).toBe(true);
      // The same rows as sequential reads give, in the asked order (column 0 holds the row number).
      expect(Array.from(indices.slice(0, 5), (_, k) => got.x[k * 64])).toEqual(
        Array.from(indices.slice(0, 5)),
      );
      expect(Array.from(ds.read('train', 40, 3).x)).toEqual(Array.from(ds.readAt('train', [40, 41, 42]).x));
    } finally {
      ds.close();
    }
  });

  it('refuses rows outside the split, naming the file and the dataset', async () => {
    const ds = await openDataset(join(dir, 'contig-f32.h5'));
    try {
      expect(() => ds.readAt('train', [3, 300])).toThrow(
        /contig-f32\.h5: row 300 is outside 'X_train' \(0\.\.300\)/,
      );
      expect(ds.readAt('test', []).count).toBe(0);
    } finally {
      ds.close();
    }
  });
});

describe('a file truncated after it was opened', () => {
  it('fails the read with one line naming the file, the dataset and the rows', async () => {
    const file = join(dir, 'contig-f64.h5');
    const ds = await openDataset(file);
    try {
      truncateSync(file, 100_000);
      const error = (() => {
        try {
          ds.readAt('train', [250, 10, 251]);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(
        /contig-f64\.h5: cannot read rows 10–251 of dataset 'X_train': the file was truncated \(\d+ bytes when opened, 100000 now\)/,
      );
      expect((error as Error).message).not.toContain('\n');
      expect(() => ds.read('train', 0, 5)).toThrow(
        /cannot read rows 0–4 of dataset 'X_train': the file was truncated/,
      );
    } finally {
      ds.close();
    }
  });
});

describe('planSpans', () => {
  it('merges near rows of a contiguous dataset and keeps far ones apart', () => {
    expect(planSpans([9, 1, 2, 30, 5, 2], undefined)).toEqual([
      { start: 1, end: 10, rows: [1, 2, 5, 9] },
      { start: 30, end: 31, rows: [30] },
    ]);
  });
  it('reads each chunk of a chunked dataset once, from its first to its last wanted row', () => {
    expect(planSpans([17, 3, 15, 8, 9, 0], 8)).toEqual([
      { start: 0, end: 4, rows: [0, 3] },
      { start: 8, end: 16, rows: [8, 9, 15] },
      { start: 17, end: 18, rows: [17] },
    ]);
  });
});
