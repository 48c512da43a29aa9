// Step 5 of the recipe: the 16³ grid of point counts, divided by the largest count. Bounds and boundaries follow
// the VoxelGrid class (kargarisaac/3d-MNIST-classification-PointNet) with numpy's linspace and searchsorted('left').
import { GRID, ROW_LENGTH as VOXELS } from './layout.js';
import { linspace } from './numpy-linspace.js';
import { type CloudBuffer, cloudBounds } from './point-cloud.js';

const MARGIN = 0.001;

/** Writes the 4096-value row of `cloud` (x + 16·y + 256·z) to `row[offset…]`; `counts` is scratch space. */
export function voxelRow(cloud: CloudBuffer, counts: Int32Array, row: Float64Array, offset: number): void {
  const { x, y, z, count: n } = cloud;
  let { x0, y0, z0, x1, y1, z1 } = cloudBounds(cloud);
  x0 -= MARGIN;
  y0 -= MARGIN;
  z0 -= MARGIN;
  x1 += MARGIN;
  y1 += MARGIN;
  z1 += MARGIN;
  // Pad every axis symmetrically to the largest extent: a cube.
  const largest = Math.max(x1 - x0, y1 - y0, z1 - z0);
  const sx = segmentsOf(x0, x1, largest);
  const sy = segmentsOf(y0, y1, largest);
  const sz = segmentsOf(z0, z1, largest);
  const kx = GRID / ((sx[GRID] as number) - (sx[0] as number));
  const ky = GRID / ((sy[GRID] as number) - (sy[0] as number));
  const kz = GRID / ((sz[GRID] as number) - (sz[0] as number));
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const cell =
      voxelOf(sx, kx, x[i] as number) +
      GRID * (voxelOf(sy, ky, y[i] as number) + GRID * voxelOf(sz, kz, z[i] as number));
    counts[cell] = (counts[cell] as number) + 1;
  }
  let max = 0;
  for (let i = 0; i < VOXELS; i++) if ((counts[i] as number) > max) max = counts[i] as number;
  for (let i = 0; i < VOXELS; i++) row[offset + i] = (counts[i] as number) / max;
}

function segmentsOf(lo: number, hi: number, largest: number): Float64Array {
  const pad = largest - (hi - lo);
  return linspace(lo - pad / 2, hi + pad / 2, GRID + 1);
}

/**
 * searchsorted(segments, p, 'left') − 1: the voxel v with segments[v] < p <= segments[v + 1]. Guessed from the
 * step (`scale` = 16 / extent), then settled against the exact boundaries.
 */
function voxelOf(segments: Float64Array, scale: number, p: number): number {
  let v = Math.floor((p - (segments[0] as number)) * scale);
  if (v < 0) v = 0;
  else if (v > GRID - 1) v = GRID - 1;
  while (v > 0 && (segments[v] as number) >= p) v--;
  while (v < GRID - 1 && (segments[v + 1] as number) < p) v++;
  return v;
}
