// Rows of the built dataset: row 2·i is MNIST digit i voxelised, row 2·i + 1 its seeded random rotation.

import { Rng } from '@conv3d/core';
import { augmentCloud } from './augment.js';
import { rowsOf, type Split, ROW_LENGTH as VOXELS } from './layout.js';
import type { MnistDigits } from './mnist-idx.js';
import { CloudBuffer, digitCloud } from './point-cloud.js';
import { voxelRow } from './voxelize.js';

export const DEFAULT_SEED = 1;
const SPLIT_KEY: Readonly<Record<Split, number>> = { train: 1, test: 2 };
const IMAGE_BYTES = 28 * 28;

export interface Rows {
  /** Row-major `count × 4096` float64, values in [0, 1], each row's max exactly 1. */
  x: Float64Array;
  y: Int32Array;
  count: number;
}

/** Scratch buffers reused across rows. */
export class RecipeScratch {
  readonly upright = new CloudBuffer();
  readonly rotated = new CloudBuffer();
  readonly counts = new Int32Array(VOXELS);
}

/** The random stream of digit `digit`'s rotated copy: independent of which other rows are built. */
export function rotationRng(seed: number, split: Split, digit: number): Rng {
  return new Rng(seed, SPLIT_KEY[split], digit);
}

/**
 * Builds rows `[start, end)` of `split` from `digits` (which must hold MNIST digits 0 … ⌈end / 2⌉ − 1), calling
 * `onRow` after each row.
 */
export function buildRows(
  digits: MnistDigits,
  split: Split,
  start: number,
  end: number,
  seed: number,
  onRow?: () => void,
  scratch = new RecipeScratch(),
): Rows {
  if (
    !(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= rowsOf(split))
  ) {
    throw new RangeError(`rows ${start}..${end} are outside ${split} (0..${rowsOf(split)})`);
  }
  const count = end - start;
  const x = new Float64Array(count * VOXELS);
  const y = new Int32Array(count);
  for (let row = start; row < end; row++) {
    const digit = row >> 1;
    if (row === start || row % 2 === 0) digitCloud(digits.images, digit * IMAGE_BYTES, scratch.upright);
    let cloud = scratch.upright;
    if (row % 2 === 1) {
      augmentCloud(scratch.upright, scratch.rotated, rotationRng(seed, split, digit));
      cloud = scratch.rotated;
    }
    voxelRow(cloud, scratch.counts, x, (row - start) * VOXELS);
    y[row - start] = digits.labels[digit] as number;
    onRow?.();
  }
  return { x, y, count };
}
