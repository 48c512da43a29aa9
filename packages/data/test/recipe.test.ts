import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMnist } from '../src/mnist-idx.js';
import { linspace } from '../src/numpy-linspace.js';
import { CloudBuffer, COS90, digitCloud } from '../src/point-cloud.js';
import { buildRows, RecipeScratch } from '../src/recipe.js';
import { voxelRow } from '../src/voxelize.js';

interface FixtureDigit {
  split: 'train' | 'test';
  index: number;
  label: number;
  points: number;
  pointsSha256: string;
  nonzero: [number, number][];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/recipe/originals.json', import.meta.url), 'utf8'),
) as { digits: FixtureDigit[] };
const train = readMnist('train', 5000);
const test = readMnist('test', 1000);

function cloudSha(cloud: CloudBuffer): string {
  const xyz = new Float64Array(cloud.count * 3);
  for (let i = 0; i < cloud.count; i++) {
    xyz[3 * i] = cloud.x[i] as number;
    xyz[3 * i + 1] = cloud.y[i] as number;
    xyz[3 * i + 2] = cloud.z[i] as number;
  }
  return createHash('sha256').update(new Uint8Array(xyz.buffer)).digest('hex');
}

describe('originals against the numpy reference (scripts/reference_recipe.py)', () => {
  it('uses a real float64 cos 90° and numpy linspace rounding', () => {
    expect(COS90).toBe(6.123233995736766e-17);
    // numpy.linspace(-3, 3, 30)[7] and [29]: i·step + start, last value = stop
    const zs = linspace(-3, 3, 30);
    expect(zs[7]).toBe(7 * (6 / 29) - 3);
    expect(zs[29]).toBe(3);
  });

  it('MNIST train image 14 gives 11 250 points', () => {
    const cloud = new CloudBuffer();
    digitCloud(train.images, 14 * 784, cloud);
    expect(cloud.count).toBe(11250);
  });

  it.each(fixture.digits.map((d) => [`${d.split}[${d.index}]`, d] as const))(
    '%s: same points bit for bit, same 4096 values bit for bit',
    (_, digit) => {
      const digits = digit.split === 'train' ? train : test;
      expect(digits.labels[digit.index]).toBe(digit.label);
      const cloud = new CloudBuffer();
      digitCloud(digits.images, digit.index * 784, cloud);
      expect(cloud.count).toBe(digit.points);
      expect(cloudSha(cloud)).toBe(digit.pointsSha256);
      const row = new Float64Array(4096);
      voxelRow(cloud, new Int32Array(4096), row, 0);
      const expected = new Float64Array(4096);
      for (const [i, v] of digit.nonzero) expected[i] = v;
      expect(row).toEqual(expected);
    },
  );
});

describe('buildRows: interleaved originals and seeded rotations', () => {
  const rows = buildRows(train, 'train', 0, 12, 7);

  it('row 2i is original i, row 2i+1 its rotation, labels follow the digit', () => {
    const cloud = new CloudBuffer();
    const original = new Float64Array(4096);
    for (let r = 0; r < 12; r++) {
      expect(rows.y[r]).toBe(train.labels[r >> 1]);
      const row = rows.x.subarray(r * 4096, (r + 1) * 4096);
      expect(Math.max(...row)).toBe(1);
      expect(Math.min(...row)).toBe(0);
      digitCloud(train.images, (r >> 1) * 784, cloud);
      voxelRow(cloud, new Int32Array(4096), original, 0);
      if (r % 2 === 0) expect(row).toEqual(original);
      else expect(row).not.toEqual(original);
    }
  });

  it('is reproducible, and any range of rows equals the same rows of a larger build', () => {
    expect(buildRows(train, 'train', 0, 12, 7).x).toEqual(rows.x);
    const part = buildRows(train, 'train', 5, 9, 7);
    expect(part.x).toEqual(rows.x.subarray(5 * 4096, 9 * 4096));
    expect([...part.y]).toEqual([...rows.y.subarray(5, 9)]);
  });

  it('the seed changes the rotated rows only; splits draw different streams', () => {
    const other = buildRows(train, 'train', 0, 12, 8);
    for (let r = 0; r < 12; r++) {
      const a = rows.x.subarray(r * 4096, (r + 1) * 4096);
      const b = other.x.subarray(r * 4096, (r + 1) * 4096);
      if (r % 2 === 0) expect(b).toEqual(a);
      else expect(b).not.toEqual(a);
    }
    const trainAsTest = buildRows({ ...train, images: test.images, labels: test.labels }, 'train', 0, 2, 7);
    const testRows = buildRows(test, 'test', 0, 2, 7);
    expect(testRows.x.subarray(0, 4096)).toEqual(trainAsTest.x.subarray(0, 4096));
    expect(testRows.x.subarray(4096)).not.toEqual(trainAsTest.x.subarray(4096));
  });

  it('rejects rows outside the split', () => {
    expect(() => buildRows(test, 'test', 1999, 2001, 1)).toThrow(/outside test/);
  });
});

describe('other grids (build --grid N) against the numpy reference with n voxels per axis', () => {
  const grids = JSON.parse(
    readFileSync(new URL('../fixtures/recipe/originals-grids.json', import.meta.url), 'utf8'),
  ) as {
    rows: {
      grid: number;
      split: 'train' | 'test';
      index: number;
      label: number;
      nonzero: [number, number][];
    }[];
  };

  it.each(grids.rows.map((r) => [`${r.grid}³ ${r.split}[${r.index}]`, r] as const))(
    '%s: same n³ values bit for bit',
    (_, ref) => {
      const digits = ref.split === 'train' ? train : test;
      expect(digits.labels[ref.index]).toBe(ref.label);
      const cloud = new CloudBuffer();
      digitCloud(digits.images, ref.index * 784, cloud);
      const voxels = ref.grid ** 3;
      const row = new Float64Array(voxels);
      voxelRow(cloud, new Int32Array(voxels), row, 0, ref.grid);
      const expected = new Float64Array(voxels);
      for (const [i, v] of ref.nonzero) expected[i] = v;
      expect(row).toEqual(expected);
    },
  );

  it('buildRows on 32³: originals are the reference rows, rotations differ, grid 16 is the default', () => {
    const rows = buildRows(train, 'train', 0, 2, 7, undefined, new RecipeScratch(32));
    expect(rows.x.length).toBe(2 * 32 ** 3);
    const ref = grids.rows.find((r) => r.grid === 32 && r.split === 'train' && r.index === 0);
    const expected = new Float64Array(32 ** 3);
    for (const [i, v] of ref?.nonzero ?? []) expected[i] = v;
    expect(rows.x.subarray(0, 32 ** 3)).toEqual(expected);
    expect(Math.max(...rows.x.subarray(32 ** 3))).toBe(1);
    expect(buildRows(train, 'train', 0, 4, 7, undefined, new RecipeScratch(16)).x).toEqual(
      buildRows(train, 'train', 0, 4, 7).x,
    );
  });
});
