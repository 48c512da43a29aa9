// What one augmented epoch trains on, and how its rows are made. An item is a stored training row (its index,
// ≥ 0) or a fresh rotated copy (−1 − code, code = copy · originals + digit). Every random draw is keyed by
// (augmentation seed, epoch, item), so a batch comes out the same on any thread, in any order, after any resume.
import { deriveSeed, type ModelContract, permutation, Rng } from '@conv3d/core';
import { MnistCopies } from '@conv3d/data';
import type { RawRows } from '../batches.js';
import type { AugmentationConfig } from './config.js';
import { augmentVoxels, VoxelGrid } from './voxel-ops.js';

/** The training part of the training split as the loop holds it: rows [0, split) of x and y, and their grid. */
export interface StoredRows {
  x: RawRows;
  y: Int32Array;
  split: number;
  contract: Pick<ModelContract, 'grid' | 'rawChannels' | 'rawLength'>;
}

/** The voxel grid of the stored rows. */
export const gridOf = (stored: StoredRows): VoxelGrid =>
  VoxelGrid.fromContract(stored.contract.grid, stored.contract.rawChannels);

/** The MNIST digits fresh copies are made of: the training originals, on the stored rows' grid. */
export const mnistCopiesFor = (stored: StoredRows): MnistCopies =>
  new MnistCopies(originalsBelow(stored.split), stored.contract.grid[0]);

/** Originals among the training rows: the even rows below `split`. */
export const originalsBelow = (split: number): number => Math.ceil(split / 2);

const STREAM_COPY = 1;
const STREAM_VOXEL = 2;

/** The epoch's items in training order (shuffled by `runSeed` and the epoch, as the plain loop shuffles). */
export function epochItems(
  split: number,
  augmentation: AugmentationConfig,
  runSeed: number,
  epoch: number,
): Int32Array {
  const items: number[] = [];
  const rc = augmentation.rotatedCopies;
  if (!rc) {
    for (let r = 0; r < split; r++) items.push(r);
  } else {
    const originals = originalsBelow(split);
    for (let r = 0; r < split; r++) {
      if (r % 2 === 0 ? rc.keepOriginals : rc.keepStoredCopies) items.push(r);
    }
    for (let code = 0; code < rc.copiesPerOriginal * originals; code++) items.push(-1 - code);
  }
  const order = permutation(items.length, deriveSeed(runSeed, epoch));
  const out = new Int32Array(items.length);
  for (let i = 0; i < out.length; i++) out[i] = items[order[i] as number] as number;
  return out;
}

/** Items per epoch (the same every epoch). */
export function epochSize(split: number, augmentation: AugmentationConfig): number {
  const rc = augmentation.rotatedCopies;
  if (!rc) return split;
  const originals = originalsBelow(split);
  const stored = (rc.keepOriginals ? originals : 0) + (rc.keepStoredCopies ? split - originals : 0);
  return stored + rc.copiesPerOriginal * originals;
}

export interface RawBatch {
  x: RawRows;
  y: Int32Array;
  count: number;
}

/** Makes the raw rows of a batch of items, in the stored rows' dtype. */
export class EpochRowMaker {
  private readonly copies: MnistCopies | undefined;
  private readonly grid: VoxelGrid;
  private readonly row: Float64Array;
  private readonly scratch: Float64Array;

  constructor(
    private readonly stored: StoredRows,
    private readonly augmentation: AugmentationConfig,
  ) {
    this.copies = augmentation.rotatedCopies ? mnistCopiesFor(stored) : undefined;
    this.grid = gridOf(stored);
    this.row = new Float64Array(this.grid.length);
    this.scratch = new Float64Array(this.grid.length);
  }

  make(epoch: number, items: Int32Array): RawBatch {
    const n = items.length;
    const voxels = this.grid.length;
    const x =
      this.stored.x instanceof Float32Array ? new Float32Array(n * voxels) : new Float64Array(n * voxels);
    const y = new Int32Array(n);
    const { seed, voxel } = this.augmentation;
    const row = this.row;
    for (let i = 0; i < n; i++) {
      const item = items[i] as number;
      if (item >= 0) {
        row.set(this.stored.x.subarray(item * voxels, (item + 1) * voxels));
        y[i] = this.stored.y[item] as number;
      } else {
        const code = -1 - item;
        const originals = originalsBelow(this.stored.split);
        const digit = code % originals;
        (this.copies as MnistCopies).rotatedCopy(digit, new Rng(seed, epoch, STREAM_COPY, code), row, 0);
        // The label of the digit's original row: checked against MNIST's before training starts.
        y[i] = this.stored.y[2 * digit] as number;
      }
      if (voxel) augmentVoxels(this.grid, row, this.scratch, voxel, new Rng(seed, epoch, STREAM_VOXEL, item));
      x.set(row, i * voxels);
    }
    return { x, y, count: n };
  }
}
