import { Rng } from '@conv3d/core';
import { describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.js';
import { checkOriginalRows, MnistCopies } from '../src/fresh-copies.js';
import { readMnist } from '../src/mnist-idx.js';
import { buildRows, rotationRng } from '../src/recipe.js';

const ROWS = 24;
const built = buildRows(readMnist('train', ROWS / 2), 'train', 0, ROWS, 3);
const copies = new MnistCopies(ROWS / 2);
const row = (x: Float64Array, r: number): Float64Array => x.subarray(r * 4096, (r + 1) * 4096);

describe('MnistCopies: the builder recipe, from any random stream', () => {
  it("original(i) is the built file's row 2i, bit for bit", () => {
    const out = new Float64Array(4096);
    for (let d = 0; d < ROWS / 2; d++) {
      copies.original(d, out, 0);
      expect(out).toEqual(row(built.x, 2 * d));
    }
    expect([...copies.labels]).toEqual([...built.y].filter((_, r) => r % 2 === 0));
  });

  it("rotatedCopy(i) with the builder's stream is row 2i + 1: the same distribution as the test copies", () => {
    const out = new Float64Array(4096);
    for (let d = 0; d < ROWS / 2; d++) {
      copies.rotatedCopy(d, rotationRng(3, 'train', d), out, 0);
      expect(out).toEqual(row(built.x, 2 * d + 1));
    }
  });

  it('another stream gives another copy, the same stream the same copy', () => {
    const a = new Float64Array(4096);
    const b = new Float64Array(4096);
    copies.rotatedCopy(5, new Rng(9, 1, 5), a, 0);
    copies.rotatedCopy(5, new Rng(9, 1, 5), b, 0);
    expect(b).toEqual(a);
    copies.rotatedCopy(5, new Rng(9, 2, 5), b, 0);
    expect(b).not.toEqual(a);
    expect(Math.max(...b)).toBe(1);
  });

  it('refuses a digit it was not given', () => {
    expect(() => copies.original(ROWS / 2, new Float64Array(4096), 0)).toThrow(
      'MNIST train image 12 is outside 0..11',
    );
  });
});

describe('checkOriginalRows', () => {
  it('accepts the build, stored as float64 or float32, and any prefix of it', () => {
    expect(() => checkOriginalRows('f.h5', built, ROWS, copies)).not.toThrow();
    expect(() =>
      checkOriginalRows('f.h5', { x: Float32Array.from(built.x), y: built.y }, ROWS, copies),
    ).not.toThrow();
    expect(() => checkOriginalRows('f.h5', built, 7, copies)).not.toThrow();
  });

  it('refuses shuffled rows, a wrong label, and more originals than it has digits for', () => {
    const swapped = Float64Array.from(built.x);
    swapped.set(row(built.x, 1), 2 * 4096);
    const voxel = row(built.x, 1).findIndex((v, i) => v !== row(built.x, 2)[i]);
    expect(() => checkOriginalRows('f.h5', { x: swapped, y: built.y }, ROWS, copies, ROWS)).toThrow(
      new DataError(
        `f.h5: not the 3D MNIST build online augmentation needs (row 2i = MNIST train image i): train row 2 differs from MNIST train image 1 voxelised by the recipe (voxel ${voxel})`,
      ),
    );
    const labels = Int32Array.from(built.y);
    labels[4] = ((labels[4] as number) + 1) % 10;
    expect(() => checkOriginalRows('f.h5', { x: built.x, y: labels }, ROWS, copies)).toThrow(
      `f.h5: not the 3D MNIST build online augmentation needs (row 2i = MNIST train image i): train row 4 has label ${labels[4]}, MNIST train image 2 is a ${built.y[4]}`,
    );
    expect(() => checkOriginalRows('f.h5', built, ROWS + 2, copies)).toThrow(
      'f.h5: 13 training originals, more than the 12 MNIST train images of the 3D MNIST build',
    );
  });
});
