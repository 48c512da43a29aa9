// Axial, coronal and sagittal slices of a volume with its label map laid over (slice-geometry.ts). One canvas pixel
// per voxel, scaled up by CSS without smoothing, so a voxel's colour is exactly what slicePixel says.
import type { Size3 } from '@conv3d/core';
import { type Plane, planeGeometry, slicePixel, voxelAt } from './slice-geometry.js';

/** Draws slice `index` of `plane` into `canvas` (resized to the plane). */
export function drawSlice(
  canvas: HTMLCanvasElement,
  plane: Plane,
  index: number,
  dims: Size3,
  values: Float32Array | Float64Array,
  labels: Uint8Array | Uint16Array | null,
  opacity: number,
): void {
  const { rows, cols } = planeGeometry(plane, dims);
  canvas.width = cols;
  canvas.height = rows;
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('demo page: no 2D canvas context');
  const image = context.createImageData(cols, rows);
  const [, h, w] = dims;
  for (let row = 0, p = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++, p += 4) {
      const [z, y, x] = voxelAt(plane, index, row, col);
      const v = (z * h + y) * w + x;
      const rgb = slicePixel(values[v] as number, labels === null ? 0 : (labels[v] as number), opacity);
      image.data.set(rgb, p);
      image.data[p + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
}
