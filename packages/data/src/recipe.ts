// Rows of the built dataset: row (1 + c)·i is MNIST digit i voxelised, the next c rows (c rotated copies per
// original, 1 by default) its seeded random rotations.

import { Rng } from '@conv3d/core';
import { augmentCloud } from './augment.js';
import { DEFAULT_COPIES, GRID, type Split } from './layout.js';
import type { MnistDigits } from './mnist-idx.js';
import { CloudBuffer, digitCloud } from './point-cloud.js';
import { voxelRow } from './voxelize.js';

export const DEFAULT_SEED = 1;
const SPLIT_KEY: Readonly<Record<Split, number>> = { train: 1, test: 2 };
const IMAGE_BYTES = 28 * 28;

export interface Rows {
  /** Row-major `count × n³` float64, values in [0, 1], each row's max exactly 1. */
  x: Float64Array;
  y: Int32Array;
  count: number;
}

/** Scratch buffers reused across rows of an n³ grid. */
export class RecipeScratch {
  readonly upright = new CloudBuffer();
  readonly rotated = new CloudBuffer();
  readonly counts: Int32Array;
  constructor(readonly grid = GRID) {
    this.counts = new Int32Array(grid * grid * grid);
  }
}

/**
 * The random stream of copy `copy` (1, 2, …) of digit `digit`: independent of which other rows are built and of
 * how many copies the file holds, so copy 1 of a `--copies 4` file is the copy of a `--copies 1` file.
 */
export function rotationRng(seed: number, split: Split, digit: number, copy = 1): Rng {
  // copy 1 keeps the stream the default file has always used
  return copy === 1 ? new Rng(seed, SPLIT_KEY[split], digit) : new Rng(seed, SPLIT_KEY[split], digit, copy);
}

/**
 * Builds rows `[start, end)` of `split` on an n³ grid (`scratch.grid`, default 16) from `digits` (every row's
 * digit must be in it), `copies` rotated copies per original, calling `onRow` after each row.
 */
export function buildRows(
  digits: MnistDigits,
  split: Split,
  start: number,
  end: number,
  seed: number,
  onRow?: () => void,
  scratch = new RecipeScratch(),
  copies = DEFAULT_COPIES,
): Rows {
  const group = 1 + copies;
  const rows = digits.count * group;
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= rows)) {
    throw new RangeError(`rows ${start}..${end} are outside ${split} (0..${rows})`);
  }
  const count = end - start;
  const voxels = scratch.counts.length;
  const x = new Float64Array(count * voxels);
  const y = new Int32Array(count);
  for (let row = start; row < end; row++) {
    const digit = Math.floor(row / group);
    const copy = row - digit * group;
    if (row === start || copy === 0) digitCloud(digits.images, digit * IMAGE_BYTES, scratch.upright);
    let cloud = scratch.upright;
    if (copy > 0) {
      augmentCloud(scratch.upright, scratch.rotated, rotationRng(seed, split, digit, copy));
      cloud = scratch.rotated;
    }
    voxelRow(cloud, scratch.counts, x, (row - start) * voxels, scratch.grid);
    y[row - start] = digits.labels[digit] as number;
    onRow?.();
  }
  return { x, y, count };
}
