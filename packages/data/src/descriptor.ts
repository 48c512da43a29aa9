// What a dataset file holds, described with the field names of the model contract (v2) so training can copy
// them into a model's contract: grid [D, H, W], raw channels per voxel, voxel order, label names.
import type { Split } from './layout.js';

/** Raw rows are row-major over D, H, W, then channels (3D MNIST's x + 16·y + 256·z is D = z, H = y, W = x). */
export const VOXEL_ORDER = 'dhwc';

export interface DatasetDescriptor {
  /** Voxels along depth, height and width. */
  grid: readonly [number, number, number];
  /** Values per voxel in a raw row. */
  rawChannels: number;
  voxelOrder: typeof VOXEL_ORDER;
  /** K class names, index = label value. */
  labels: readonly string[];
  /** Rows per split. */
  counts: Readonly<Record<Split, number>>;
}

/** Values in one raw row: D·H·W·C. */
export function rowLengthOf(d: Pick<DatasetDescriptor, 'grid' | 'rawChannels'>): number {
  return d.grid[0] * d.grid[1] * d.grid[2] * d.rawChannels;
}
