// What a dataset file holds, in the model contract's own fields (@conv3d/core's ContractSpec: grid [D, H, W], raw
// channels per voxel, label names) plus the voxel order and the rows per split, so training copies them into a
// model's contract as they are.
import type { ContractSpec, VOXEL_ORDER } from '@conv3d/core';
import type { Split } from './layout.js';

export interface DatasetDescriptor extends Pick<ContractSpec, 'grid' | 'rawChannels' | 'labels'> {
  /** Raw rows are row-major over D, H, W, then channels (3D MNIST's x + 16·y + 256·z is D = z, H = y, W = x). */
  voxelOrder: typeof VOXEL_ORDER;
  /** Rows per split. */
  counts: Readonly<Record<Split, number>>;
}

/** Values in one raw row: D·H·W·C. */
export function rowLengthOf(d: Pick<DatasetDescriptor, 'grid' | 'rawChannels'>): number {
  return d.grid[0] * d.grid[1] * d.grid[2] * d.rawChannels;
}
