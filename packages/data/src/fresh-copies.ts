// Online augmentation for training on the built file: the recipe's originals and fresh rotated copies of MNIST
// digits, made exactly as the builder makes them (recipe.ts), but from any random stream the caller chooses.
// Training draws a new stream per (seed, epoch, digit), so every epoch sees copies no file holds.
import type { Rng } from '@conv3d/core';
import { augmentCloud } from './augment.js';
import { DataError } from './errors.js';
import { GRID } from './layout.js';
import { readMnist } from './mnist-idx.js';
import { CloudBuffer, digitCloud } from './point-cloud.js';
import { voxelRow } from './voxelize.js';

const IMAGE_BYTES = 28 * 28;

/** Makes 3D MNIST rows of MNIST training images 0 … `count` − 1 (the builder's train digits) on a `grid`³ grid. */
export class MnistCopies {
  readonly labels: Uint8Array;
  private readonly images: Uint8Array;
  private readonly upright = new CloudBuffer();
  private readonly rotated = new CloudBuffer();
  private readonly counts: Int32Array;
  private cached = -1;
  /** Values in one row: grid³. */
  readonly voxels: number;

  constructor(
    readonly count: number,
    readonly grid = GRID,
  ) {
    this.voxels = grid * grid * grid;
    this.counts = new Int32Array(this.voxels);
    const digits = readMnist('train', count);
    this.images = digits.images;
    this.labels = digits.labels;
  }

  private cloud(digit: number): CloudBuffer {
    if (!(Number.isInteger(digit) && digit >= 0 && digit < this.count)) {
      throw new RangeError(`MNIST train image ${digit} is outside 0..${this.count - 1}`);
    }
    if (this.cached !== digit) {
      digitCloud(this.images, digit * IMAGE_BYTES, this.upright);
      this.cached = digit;
    }
    return this.upright;
  }

  /** Writes the original row of `digit` (bit-exact with the built file's row 2·digit) to `out[offset…]`. */
  original(digit: number, out: Float64Array, offset: number): void {
    voxelRow(this.cloud(digit), this.counts, out, offset, this.grid);
  }

  /** Writes a rotated, jittered copy of `digit` (the recipe's step 6, draws from `rng`) to `out[offset…]`. */
  rotatedCopy(digit: number, rng: Rng, out: Float64Array, offset: number): void {
    augmentCloud(this.cloud(digit), this.rotated, rng);
    voxelRow(this.rotated, this.counts, out, offset, this.grid);
  }
}

/** Rows, labels and their dtype as a training set holds them: the part of the file a check needs. */
export interface StoredTrainRows {
  x: Float32Array | Float64Array;
  y: Int32Array;
}

/**
 * Checks that row 2·i of `rows` is MNIST train image i as the builder voxelises it, for every even row below
 * `end`: all labels, and the voxels of `samples` rows spread over the range. Throws a one-line DataError naming
 * `path` and the first row that differs (e.g. a file built otherwise, or shuffled).
 */
export function checkOriginalRows(
  path: string,
  rows: StoredTrainRows,
  end: number,
  copies: MnistCopies,
  samples = 16,
): void {
  const originals = Math.ceil(end / 2);
  if (originals > copies.count) {
    throw new DataError(
      `${path}: ${originals} training originals, more than the ${copies.count} MNIST train images of the 3D MNIST build`,
    );
  }
  const fail = (row: number, what: string): never => {
    throw new DataError(
      `${path}: not the 3D MNIST build online augmentation needs (row 2i = MNIST train image i): train row ${row} ${what}`,
    );
  };
  for (let digit = 0; digit < originals; digit++) {
    if (rows.y[2 * digit] !== copies.labels[digit]) {
      fail(
        2 * digit,
        `has label ${rows.y[2 * digit]}, MNIST train image ${digit} is a ${copies.labels[digit]}`,
      );
    }
  }
  const voxels = copies.voxels;
  const expected = new Float64Array(voxels);
  const round = rows.x instanceof Float32Array ? Math.fround : (v: number) => v;
  const picks = new Set<number>();
  for (let k = 0; k < samples; k++) picks.add(Math.floor((k * (originals - 1)) / Math.max(1, samples - 1)));
  for (const digit of picks) {
    copies.original(digit, expected, 0);
    const at = 2 * digit * voxels;
    for (let v = 0; v < voxels; v++) {
      if (rows.x[at + v] !== round(expected[v] as number)) {
        fail(2 * digit, `differs from MNIST train image ${digit} voxelised by the recipe (voxel ${v})`);
      }
    }
  }
}
