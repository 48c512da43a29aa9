// Where the 3D view draws a sample's voxels and in which colour, for any grid [D, H, W] and channel count: raw rows
// are row-major over D, H, W, C ('dhwc'); W is drawn along x, H upwards along y, D along z, centred on the origin.
// Kept apart from three.js so it is tested without WebGL.
import { type ModelContract, orangesRgb, type RawVoxels } from '@conv3d/core';

export type GridShape = Pick<ModelContract, 'grid' | 'rawChannels'>;

export interface VoxelLayout {
  /** Drawn voxels: non-zero ones in a sparse sample, the upper half of the value range in a dense one. */
  count: number;
  /** x, y, z of each drawn voxel's centre. */
  positions: Float32Array;
  /** r, g, b in [0, 1] of each drawn voxel. */
  colors: Float32Array;
}

/**
 * Colours are the Oranges map of each voxel's mean over channels, autoscaled per sample: the seed's own
 * preprocessing for 3D MNIST, a plain intensity map for anything else.
 */
export function voxelLayout(values: RawVoxels, shape: GridShape): VoxelLayout {
  const [d, h, w] = shape.grid;
  const c = shape.rawChannels;
  const voxels = d * h * w;
  const mean = new Float32Array(voxels);
  const present = new Uint8Array(voxels);
  for (let i = 0; i < voxels; i++) {
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const v = values[i * c + k] as number;
      sum += v;
      if (v !== 0 && Number.isFinite(v)) present[i] = 1;
    }
    mean[i] = sum / c;
  }
  const rgb = new Float32Array(voxels * 3);
  orangesRgb.apply(mean, 0, voxels, 1, rgb, 0);
  let count = 0;
  for (let i = 0; i < voxels; i++) count += present[i] as number;
  if (2 * count > voxels) {
    // A dense sample (noise, CT, MRI) has hardly a zero voxel: drawing them all shows a solid box, so only the
    // upper half of its range is drawn.
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const m of mean) {
      if (m < lo) lo = m;
      if (m > hi) hi = m;
    }
    const cut = lo + (hi - lo) / 2;
    count = 0;
    for (let i = 0; i < voxels; i++) {
      present[i] = present[i] === 1 && (mean[i] as number) > cut ? 1 : 0;
      count += present[i] as number;
    }
  }
  const positions = new Float32Array(count * 3);
  const colors = new Float32Array(count * 3);
  let n = 0;
  for (let i = 0; i < voxels; i++) {
    if (present[i] === 0) continue;
    const x = i % w;
    const y = Math.floor(i / w) % h;
    const z = Math.floor(i / (w * h));
    positions.set([x - w / 2 + 0.5, y - h / 2 + 0.5, z - d / 2 + 0.5], n * 3);
    colors.set(rgb.subarray(i * 3, i * 3 + 3), n * 3);
    n++;
  }
  return { count, positions, colors };
}
