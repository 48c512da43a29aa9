// Test-time augmentation with transforms that keep a digit's identity: whole-voxel shifts and small rotations
// (the training augmentations' own ops). Flips and quarter turns are left out on purpose: a 6 turned is a 9, and
// the cube's symmetries were measured to hurt (issue 25).
import type { ModelContract } from '@conv3d/core';
import { type Row, rotateSmall, shift, VoxelGrid } from '../augmentation/voxel-ops.js';
import type { RawRows } from '../batches.js';

/** One view of a row: writes the transformed row into `dst` (identity: undefined). */
export type View = ((g: VoxelGrid, src: Row, dst: Row) => void) | undefined;

/** Degrees of the small rotations (about one axis at a time). */
export const TTA_DEGREES = 10;

const shifts: View[] = [
  [1, 0, 0],
  [-1, 0, 0],
  [0, 1, 0],
  [0, -1, 0],
  [0, 0, 1],
  [0, 0, -1],
].map(
  ([dx, dy, dz]) =>
    (g, src, dst) =>
      shift(g, src, dst, dx as number, dy as number, dz as number),
);

const rotations: View[] = [
  [TTA_DEGREES, 0, 0],
  [-TTA_DEGREES, 0, 0],
  [0, TTA_DEGREES, 0],
  [0, -TTA_DEGREES, 0],
  [0, 0, TTA_DEGREES],
  [0, 0, -TTA_DEGREES],
].map(
  ([a, b, c]) =>
    (g, src, dst) =>
      rotateSmall(g, src, dst, a as number, b as number, c as number),
);

/** The named view sets: each starts with the identity. */
export const TTA_SETS = {
  none: [undefined],
  shift: [undefined, ...shifts],
  rotate: [undefined, ...rotations],
  'shift+rotate': [undefined, ...shifts, ...rotations],
} as const satisfies Record<string, readonly View[]>;

export type TtaName = keyof typeof TTA_SETS;
export const TTA_NAMES = Object.keys(TTA_SETS) as TtaName[];

/** `count` raw rows seen through `view` (a float64 copy; the identity returns the rows as they are). */
export function viewRows(contract: ModelContract, rows: RawRows, count: number, view: View): RawRows {
  if (view === undefined) return rows;
  const g = VoxelGrid.fromContract(contract.grid, contract.rawChannels);
  const out = new Float64Array(count * g.length);
  const src = new Float64Array(g.length);
  for (let r = 0; r < count; r++) {
    src.set(rows.subarray(r * g.length, (r + 1) * g.length));
    view(g, src, out.subarray(r * g.length, (r + 1) * g.length));
  }
  return out;
}
