// What a dataset file holds, in the model contract's own fields (@conv3d/core's ContractSpec: grid [D, H, W], raw
// channels per voxel, label names) plus the voxel order and the rows per split, so training copies them into a
// model's contract as they are.
import type { ContractSpec, Task, VOXEL_ORDER, VolumePreparation } from '@conv3d/core';
import type { Split } from './layout.js';

export interface DatasetDescriptor extends Pick<ContractSpec, 'grid' | 'rawChannels' | 'labels'> {
  /** Raw rows are row-major over D, H, W, then channels (3D MNIST's x + 16·y + 256·z is D = z, H = y, W = x). */
  voxelOrder: typeof VOXEL_ORDER;
  /** 'classify': y holds one label per row (N,); 'segment': one label per voxel, (N, D, H, W) or (N, D·H·W). */
  task: Task;
  /** Rows per split. */
  counts: Readonly<Record<Split, number>>;
  /**
   * How the file's scans were prepared (`conv3d-dataset pack`'s `preparation` attribute): a model trained on them
   * records it in its contract, so inference prepares a new scan the same way. Absent for rows not made from scans.
   */
  preparation?: VolumePreparation;
}

/** Labels per row: 1 for a classification set, D·H·W for a segmentation set. */
export function labelLengthOf(d: Pick<DatasetDescriptor, 'grid' | 'task'>): number {
  return d.task === 'segment' ? d.grid[0] * d.grid[1] * d.grid[2] : 1;
}

/** Values in one raw row: D·H·W·C. */
export function rowLengthOf(d: Pick<DatasetDescriptor, 'grid' | 'rawChannels'>): number {
  return d.grid[0] * d.grid[1] * d.grid[2] * d.rawChannels;
}
