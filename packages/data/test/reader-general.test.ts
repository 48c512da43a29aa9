// Any grid, dtype, layout and label set, on h5py-written files (scripts/make-h5-fixtures.py).
import { describe, expect, it } from 'vitest';
import { DataError, type OpenOptions, openDataset, type VoxelDtype } from '../src/index.js';
import { FIXTURE_LABELS, fixture, generalRows } from './h5-fixture-data.js';

const DIGITS = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9'];
const NUMBERED = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

async function readAll(name: string, options?: OpenOptions) {
  const ds = await openDataset(fixture(name), options);
  try {
    return {
      descriptor: ds.descriptor,
      rowLength: ds.rowLength,
      info: { train: ds.info('train'), test: ds.info('test') },
      train: ds.read('train'),
      test: ds.read('test'),
    };
  } finally {
    ds.close();
  }
}

describe('every X dtype, read into float32 rows (float64 kept as float64)', () => {
  it.each([
    ['general-f16.h5', 'float16', 'uint8', 'float'],
    ['general-f16be.h5', 'float16', 'uint8', 'float'],
    ['general-f32.h5', 'float32', 'int8', 'float'],
    ['general-f32be.h5', 'float32', 'int16', 'float'],
    ['general-f64.h5', 'float64', 'uint64', 'float'],
    ['general-i8.h5', 'int8', 'int16', 'int8'],
    ['general-u8.h5', 'uint8', 'uint16', 'uint8'],
    ['general-i16.h5', 'int16', 'int64', 'int16'],
    ['general-u16.h5', 'uint16', 'uint32', 'uint16'],
  ] as const)('%s: %s X, %s y', async (name, xDtype: VoxelDtype, yDtype, kind) => {
    const r = await readAll(name);
    expect(r.descriptor).toEqual({
      grid: [3, 4, 5],
      rawChannels: 1,
      voxelOrder: 'dhwc',
      task: 'classify',
      labels: NUMBERED,
      counts: { train: 3, test: 2 },
    });
    expect(r.rowLength).toBe(60);
    for (const split of ['train', 'test'] as const) {
      expect(r.info[split]).toMatchObject({
        xDtype,
        yDtype,
        xShape: [r[split].count, 60],
        compression: 'none',
      });
      const { x, y } = r[split];
      expect(x).toBeInstanceOf(xDtype === 'float64' ? Float64Array : Float32Array);
      expect([...y]).toEqual(FIXTURE_LABELS[split]);
      expect(Array.from(x)).toEqual(Array.from(generalRows(y.length, kind)));
    }
    // K = max(y) + 1 over both splits; label counts per class
    expect(r.info.train.labelCounts).toEqual([1, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(r.info.test.labelCounts).toEqual([0, 1, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it('float16 files read the exact values h5py wrote', async () => {
    const r = await readAll('general-f16.h5');
    // (c - 3) / 4 for c = 0..10 are exact in float16 (every bit pattern is checked in voxel-dtype.test.ts)
    expect(new Set(r.train.x)).toEqual(new Set([-0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]));
  });
});

describe('the three X shapes and where the grid comes from', () => {
  it('(N, D, H, W): grid from the shape, labels from the y attribute', async () => {
    const r = await readAll('general-4d.h5');
    expect(r.descriptor).toMatchObject({ grid: [3, 4, 5], rawChannels: 1, labels: DIGITS });
    expect(r.info.train.xShape).toEqual([3, 3, 4, 5]);
    expect(Array.from(r.train.x)).toEqual(Array.from(generalRows(3, 'float')));
  });

  it('(N, D, H, W, C): channels from the shape, labels from the file attribute', async () => {
    const r = await readAll('general-5d.h5');
    expect(r.descriptor).toMatchObject({ grid: [3, 4, 5], rawChannels: 2, labels: DIGITS });
    expect(r.rowLength).toBe(120);
    expect(Array.from(r.test.x)).toEqual(Array.from(generalRows(2, 'float', 2)));
  });

  it('flat rows with D,H,W,C on the X dataset; grid and labels as text', async () => {
    expect((await readAll('general-grid-on-x.h5')).descriptor).toMatchObject({
      grid: [3, 4, 5],
      rawChannels: 2,
    });
    expect((await readAll('general-grid-text.h5')).descriptor).toMatchObject({
      grid: [3, 4, 5],
      labels: DIGITS,
    });
  });

  it('flat rows without a grid take it from the caller; D,H,W leaves C = V / (D·H·W)', async () => {
    expect((await readAll('general-no-grid.h5', { grid: [3, 4, 5] })).descriptor.grid).toEqual([3, 4, 5]);
    const twoChannels = await readAll('general-no-grid.h5', { grid: [3, 2, 5] });
    expect(twoChannels.descriptor).toMatchObject({ grid: [3, 2, 5], rawChannels: 2 });
    expect((await readAll('general-no-grid.h5', { grid: [3, 4, 5, 1] })).rowLength).toBe(60);
  });

  it('a given D,H,W agrees with an attribute D,H,W,C (and the reverse)', async () => {
    expect((await readAll('general-grid-on-x.h5', { grid: [3, 4, 5] })).descriptor.rawChannels).toBe(2);
    expect((await readAll('general-f32.h5', { grid: [3, 4, 5, 1] })).rowLength).toBe(60);
    await expect(openDataset(fixture('general-grid-on-x.h5'), { grid: [3, 4, 5, 1] })).rejects.toThrow(
      /the given grid is 3,4,5,1 but attribute 'grid' of 'X_train' is 3,4,5,2/,
    );
  });

  it('configurable dataset names; labels given by the caller', async () => {
    const names = {
      xTrain: 'train/voxels',
      yTrain: 'train/labels',
      xTest: 'test/voxels',
      yTest: 'test/labels',
    };
    const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
    const r = await readAll('general-named.h5', { names, labels });
    expect(r.descriptor).toMatchObject({ grid: [3, 4, 5], labels, counts: { train: 3, test: 2 } });
    expect(r.info.train).toMatchObject({ xName: 'train/voxels', yName: 'train/labels' });
    expect(r.info.train.labelCounts).toHaveLength(11);
    expect([...r.test.y]).toEqual(FIXTURE_LABELS.test);
  });
});

describe('malformed general files: one line naming the file, the dataset and the field', () => {
  const cases: [string, OpenOptions, RegExp][] = [
    [
      'general-no-grid.h5',
      {},
      /general-no-grid\.h5: dataset 'X_train' has shape \(3,60\) and no 'grid' attribute, and 60 is not a cube: give the grid/,
    ],
    [
      'general-no-grid.h5',
      { grid: [4, 4, 4] },
      /dataset 'X_train' has 60 values per row, which the given grid 4,4,4 does not divide/,
    ],
    [
      'general-no-grid.h5',
      { grid: [3, 4, 5, 2] },
      /dataset 'X_train' has 60 values per row, which the given grid 3,4,5,2 does not divide/,
    ],
    [
      'grid-not-dividing.h5',
      {},
      /grid-not-dividing\.h5: dataset 'X_train' has 60 values per row, which attribute 'grid' of the file 4,4,4 does not divide/,
    ],
    [
      'grid-attr-bad.h5',
      {},
      /grid-attr-bad\.h5: attribute 'grid' of the file is "sixteen", expected D,H,W\[,C\] positive integers/,
    ],
    [
      'grid-conflict.h5',
      {},
      /grid-conflict\.h5: attribute 'grid' of 'X_train' is 3,4,5 but attribute 'grid' of the file is 5,4,3/,
    ],
    [
      'general-f32.h5',
      { grid: [5, 4, 3] },
      /the given grid is 5,4,3 but attribute 'grid' of 'X_train'|the given grid is 5,4,3 but attribute 'grid' of the file is 3,4,5/,
    ],
    [
      'grid-vs-shape.h5',
      {},
      /grid-vs-shape\.h5: dataset 'X_train' has shape \(3,3,4,5\), which does not match attribute 'grid' of the file 3,5,4/,
    ],
    [
      'splits-differ.h5',
      {},
      /splits-differ\.h5: dataset 'X_test' holds 4×4×4×1 samples but 'X_train' holds 3×4×5×1/,
    ],
    [
      'ragged.h5',
      {},
      /ragged\.h5: dataset 'X_train' has dtype variable-length \(ragged\), expected float16\/32\/64 or \(u\)int8\/16/,
    ],
    [
      'x-u32-dtype.h5',
      {},
      /x-u32-dtype\.h5: dataset 'X_test' has dtype <I, expected float16\/32\/64 or \(u\)int8\/16/,
    ],
    [
      'x-rank-3.h5',
      {},
      /x-rank-3\.h5: dataset 'X_train' has shape \(3,6,10\), expected \(N,V\) rows, \(N,D,H,W\) or \(N,D,H,W,C\)/,
    ],
    [
      'too-few-names.h5',
      {},
      /too-few-names\.h5: dataset 'y_train' row 0 holds label 3, expected 0–2 \(3 classes named by attribute 'labels' of 'y_train'\)/,
    ],
    [
      'general-4d.h5',
      { labels: ['a', 'b'] },
      /the given labels is \["a","b"\] but attribute 'labels' of 'y_train' is/,
    ],
    [
      'general-no-grid.h5',
      { grid: [3, 4, 5], labels: ['a', 'b', 'c'] },
      /dataset 'y_train' row 0 holds label 3, expected 0–2 \(3 classes named by the given labels\)/,
    ],
    [
      'labels-conflict.h5',
      {},
      /labels-conflict\.h5: attribute 'labels' of 'y_train' is \["d0",.*\] but attribute 'labels' of the file is \["d9",/,
    ],
    ['labels-repeated.h5', {}, /labels-repeated\.h5: attribute 'labels' of the file names 'a' twice/],
    [
      'labels-attr-bad.h5',
      {},
      /labels-attr-bad\.h5: attribute 'labels' of the file is \[1,2,3\], expected class names/,
    ],
    [
      'one-class.h5',
      {},
      /one-class\.h5: datasets 'y_train' and 'y_test' hold only label 0: at least 2 classes needed/,
    ],
    [
      'y-huge.h5',
      {},
      /y-huge\.h5: dataset 'y_test' row 1 holds label 1099511627776, more than 100000 classes/,
    ],
    [
      'general-4d.h5',
      { names: { xTest: 'X_tset' } },
      /general-4d\.h5: dataset 'X_tset' is missing \(found: X_test, X_train, y_test, y_train\)/,
    ],
  ];
  it.each(cases)('%s %j', async (name, options, message) => {
    const error = await openDataset(fixture(name), options).then(
      (ds) => ds.close(),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it.each([
    ['f16-nan.h5', 'test', /f16-nan\.h5: dataset 'X_test' row 1 value 7 is NaN, expected finite values/],
    [
      'f16-inf.h5',
      'train',
      /f16-inf\.h5: dataset 'X_train' row 2 value 59 is -Infinity, expected finite values/,
    ],
  ] as const)('%s: reading %s names the row', async (name, split, message) => {
    const ds = await openDataset(fixture(name));
    try {
      expect(() => ds.read(split)).toThrow(message);
      // batches that end before the bad row read fine
      if (split === 'train') expect([...ds.batches(split, 2, { end: 2 })]).toHaveLength(1);
    } finally {
      ds.close();
    }
  });
});
