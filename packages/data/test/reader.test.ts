import { describe, expect, it } from 'vitest';
import { DataError, openDataset } from '../src/index.js';
import { FIXTURE_LABELS, fixture, fixtureRows } from './h5-fixture-data.js';

describe('openDataset on h5py-written files', () => {
  it.each([
    ['f64-i64.h5', Float64Array],
    ['f64-i64-gzip.h5', Float64Array],
    ['f32-i32.h5', Float32Array],
  ] as const)('%s: counts, labels and every voxel', async (name, XType) => {
    const ds = await openDataset(fixture(name));
    try {
      expect(ds.count('train')).toBe(3);
      expect(ds.count('test')).toBe(2);
      // Kaggle's layout has no grid attribute: 4096-value rows are read as a 16³ cube of one channel.
      expect(ds.descriptor).toEqual({
        grid: [16, 16, 16],
        rawChannels: 1,
        voxelOrder: 'dhwc',
        task: 'classify',
        labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
        counts: { train: 3, test: 2 },
      });
      for (const split of ['train', 'test'] as const) {
        const { x, y, count } = ds.read(split);
        expect(count).toBe(FIXTURE_LABELS[split].length);
        expect(x).toBeInstanceOf(XType);
        expect(y).toBeInstanceOf(Int32Array);
        expect([...y]).toEqual(FIXTURE_LABELS[split]);
        const expected = fixtureRows(count);
        const want = XType === Float32Array ? Float32Array.from(expected) : expected;
        expect(x).toEqual(want);
      }
    } finally {
      ds.close();
    }
  });

  it('reads slices and batches that tile the split', async () => {
    const ds = await openDataset(fixture('f64-i64-gzip.h5'));
    try {
      const all = ds.read('train');
      const middle = ds.read('train', 1, 2);
      expect(middle.count).toBe(2);
      expect([...middle.y]).toEqual([0, 9]);
      expect(middle.x).toEqual(all.x.subarray(4096));
      const batches = [...ds.batches('train', 2)];
      expect(batches.map((b) => b.count)).toEqual([2, 1]);
      expect(batches.flatMap((b) => [...b.y])).toEqual([3, 0, 9]);
      expect([...ds.batches('train', 5, { start: 1, end: 2 })].map((b) => [...b.y])).toEqual([[0]]);
      expect(() => ds.read('train', 2, 2)).toThrow(DataError);
      // reuse: the same rows, through one pair of buffers
      const reused = [];
      for (const b of ds.batches('train', 2, { reuse: true }))
        reused.push({ b, x: b.x.slice(), y: [...b.y] });
      expect(reused.map((r) => r.b.count)).toEqual([2, 1]);
      expect(reused[1]?.b.x.buffer).toBe(reused[0]?.b.x.buffer);
      expect(reused.flatMap((r) => r.y)).toEqual([3, 0, 9]);
      expect(reused[0]?.x).toEqual(all.x.subarray(0, 2 * 4096));
      expect(reused[1]?.x).toEqual(all.x.subarray(2 * 4096));
    } finally {
      ds.close();
    }
  });
});

describe('openDataset on bad input: one-line DataError naming file and dataset', () => {
  const cases: [string, RegExp][] = [
    ['does-not-exist.h5', /does-not-exist\.h5: file not found/],
    ['not-hdf5.h5', /not-hdf5\.h5: not an HDF5 file/],
    ['truncated-header.h5', /truncated-header\.h5: cannot open HDF5 file: .*truncated/i],
    ['truncated.h5', /truncated\.h5: cannot open HDF5 file: File has been truncated/],
    ['missing-y-test.h5', /missing-y-test\.h5: dataset 'y_test' is missing/],
    [
      'x-wrong-shape.h5',
      /x-wrong-shape\.h5: dataset 'X_train' has shape \(3,4095\) and no 'grid' attribute, and 4095 is not a cube/,
    ],
    ['y-wrong-shape.h5', /y-wrong-shape\.h5: dataset 'y_train' has shape \(3,1\), expected \(N,\)/],
    [
      'x-int-dtype.h5',
      /x-int-dtype\.h5: dataset 'X_train' has dtype <q, expected float16\/32\/64 or \(u\)int8\/16/,
    ],
    ['y-float-dtype.h5', /y-float-dtype\.h5: dataset 'y_test' has dtype <d, expected integers/],
    [
      'y-label-10.h5',
      /y-label-10\.h5: dataset 'y_train' row 1 holds label 10, expected 0–9 \(10 classes named by attribute 'labels' of the file\)/,
    ],
    ['y-negative.h5', /y-negative\.h5: dataset 'y_test' row 0 holds label -1, expected a class index ≥ 0/],
    ['length-mismatch.h5', /length-mismatch\.h5: dataset 'y_train' has 2 labels but 'X_train' has 3 rows/],
  ];
  it.each(cases)('%s', async (name, message) => {
    const error = await openDataset(fixture(name)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  const readCases: [string, 'train' | 'test', RegExp][] = [
    ['x-nan.h5', 'train', /x-nan\.h5: dataset 'X_train' row 1 value 40 is NaN, expected finite values/],
    ['x-inf.h5', 'test', /x-inf\.h5: dataset 'X_test' row 0 value 5 is Infinity, expected finite values/],
  ];
  it.each(readCases)('%s: reading %s', async (name, split, message) => {
    let error: unknown;
    try {
      const ds = await openDataset(fixture(name));
      try {
        ds.read(split);
      } finally {
        ds.close();
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
