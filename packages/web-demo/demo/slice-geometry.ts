// What a slice of a volume shows (no DOM, so tests in Node use it too): the planes' geometry, and each voxel's colour
// — grey levels from the intensities, each label's colour blended in at the chosen opacity (label 0, the
// background, is left bare).
import type { Size3 } from '@conv3d/core';

export type Plane = 'axial' | 'coronal' | 'sagittal';
export const PLANES: readonly Plane[] = ['axial', 'coronal', 'sagittal'];

/** Label colours (RGB), index = label; label 0 is not drawn over. */
export const LABEL_COLOURS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [255, 190, 0],
  [220, 30, 60],
  [40, 120, 255],
  [40, 200, 90],
  [170, 60, 220],
];

/** The plane's size in pixels [rows, columns] and the voxel at (row, column) of slice `index`. */
export function planeGeometry(plane: Plane, dims: Size3): { rows: number; cols: number } {
  const [d, h, w] = dims;
  if (plane === 'axial') return { rows: h, cols: w };
  if (plane === 'coronal') return { rows: d, cols: w };
  return { rows: d, cols: h };
}

export function voxelAt(plane: Plane, index: number, row: number, col: number): Size3 {
  if (plane === 'axial') return [index, row, col];
  if (plane === 'coronal') return [row, index, col];
  return [row, col, index];
}

/** The RGB a voxel is drawn with: grey level v·255, a label's colour blended in at `opacity`. */
export function slicePixel(value: number, label: number, opacity: number): [number, number, number] {
  const grey = Math.round(Math.min(1, Math.max(0, value)) * 255);
  if (label === 0) return [grey, grey, grey];
  const colour = LABEL_COLOURS[label % LABEL_COLOURS.length] ?? [255, 255, 255];
  return colour.map((c) => Math.round(grey * (1 - opacity) + c * opacity)) as [number, number, number];
}
