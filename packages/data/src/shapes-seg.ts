// A seeded synthetic segmentation set: 1-channel volumes holding spheres, boxes and rods (3 classes + background)
// at class-specific intensities, under a smooth multiplicative bias field and Gaussian noise, as MRI-like scans
// are; y holds each voxel's class. Volume i of a split depends only on (seed, split, i).
import { Rng } from '@conv3d/core';
import { writeAtomic } from '@conv3d/core/node';
import { DataError } from './errors.js';
import { h5Reason, loadH5 } from './h5.js';
import { datasetNames, SPLITS, type Split } from './layout.js';

export const SHAPES_SEG_LABELS = ['background', 'sphere', 'box', 'rod'] as const;
/** D, H, W of a volume (the "about 24×40×32"). */
export const SHAPES_SEG_GRID: readonly [number, number, number] = [24, 40, 32];
/** 240 training + 60 validation volumes (the last 20 %), 60 test volumes. */
export const SHAPES_SEG_ROWS: Readonly<Record<Split, number>> = { train: 300, test: 60 };

/** Mean intensity of each class before the bias field and noise (background 0). */
const INTENSITY = [0, 1, 0.7, 0.45];
const NOISE_STD = 0.15;
const BIAS_AMPLITUDE = 0.3;

export interface ShapesSegOptions {
  seed: number;
  rows?: Readonly<Record<Split, number>>;
  grid?: readonly [number, number, number];
}

export interface ShapesSegSplit {
  /** count × D·H·W float32, row-major over D, H, W. */
  x: Float32Array;
  /** count × D·H·W class indices. */
  y: Uint8Array;
  count: number;
}

const SPLIT_ID: Readonly<Record<Split, number>> = { train: 1, test: 2 };

/** Draws one volume into x and y (both D·H·W long, starting zeroed). */
function drawVolume(rng: Rng, grid: readonly [number, number, number], x: Float32Array, y: Uint8Array): void {
  const [D, H, W] = grid;
  const objects = 2 + Math.floor(rng.next() * 3);
  for (let o = 0; o < objects; o++) {
    const cls = 1 + Math.floor(rng.next() * 3);
    const cz = rng.uniform(0.2, 0.8) * D;
    const cy = rng.uniform(0.2, 0.8) * H;
    const cx = rng.uniform(0.2, 0.8) * W;
    const r = rng.uniform(0.18, 0.3) * Math.min(D, H, W);
    const axis = Math.floor(rng.next() * 3);
    const half = rng.uniform(0.25, 0.4) * (axis === 0 ? D : axis === 1 ? H : W);
    const inside = (dz: number, dy: number, dx: number): boolean => {
      if (cls === 1) return dz * dz + dy * dy + dx * dx <= r * r;
      if (cls === 2) return Math.max(Math.abs(dz), Math.abs(dy), Math.abs(dx)) <= r * 0.8;
      // A rod: a cylinder of radius r/2 along `axis`.
      const along = axis === 0 ? dz : axis === 1 ? dy : dx;
      return dz * dz + dy * dy + dx * dx - along * along <= (r * r) / 4 && Math.abs(along) <= half;
    };
    for (let z = 0; z < D; z++)
      for (let v = 0; v < H; v++)
        for (let u = 0; u < W; u++) if (inside(z - cz, v - cy, u - cx)) y[(z * H + v) * W + u] = cls;
  }
  // A smooth bias field: one low-frequency product of cosines with random phases per volume.
  const pz = rng.uniform(0, 2 * Math.PI);
  const py = rng.uniform(0, 2 * Math.PI);
  const px = rng.uniform(0, 2 * Math.PI);
  for (let z = 0; z < D; z++)
    for (let v = 0; v < H; v++)
      for (let u = 0; u < W; u++) {
        const i = (z * H + v) * W + u;
        const bias =
          1 +
          BIAS_AMPLITUDE *
            Math.cos((Math.PI * z) / D + pz) *
            Math.cos((Math.PI * v) / H + py) *
            Math.cos((Math.PI * u) / W + px);
        x[i] = (INTENSITY[y[i] as number] as number) * bias + rng.normal(0, NOISE_STD);
      }
}

/** The volumes of one split, drawn from (seed, split, volume index). */
export function shapesSegSplit(options: ShapesSegOptions, split: Split): ShapesSegSplit {
  const grid = options.grid ?? SHAPES_SEG_GRID;
  const count = (options.rows ?? SHAPES_SEG_ROWS)[split];
  const voxels = grid[0] * grid[1] * grid[2];
  const x = new Float32Array(count * voxels);
  const y = new Uint8Array(count * voxels);
  for (let i = 0; i < count; i++) {
    const rng = new Rng(options.seed, SPLIT_ID[split], i);
    drawVolume(rng, grid, x.subarray(i * voxels, (i + 1) * voxels), y.subarray(i * voxels, (i + 1) * voxels));
  }
  return { x, y, count };
}

/**
 * Writes the set to `out` (atomically): X_train/X_test float32 (N, D, H, W), y_train/y_test uint8 (N, D, H, W),
 * and the class names as the file's `labels` attribute.
 */
export async function buildShapesSeg(out: string, options: ShapesSegOptions): Promise<Record<Split, number>> {
  const grid = options.grid ?? SHAPES_SEG_GRID;
  const h5 = await loadH5();
  const counts = { train: 0, test: 0 };
  await writeAtomic(out, (tmp) => {
    const file = new h5.File(tmp, 'w');
    try {
      for (const split of SPLITS) {
        const { x, y, count } = shapesSegSplit(options, split);
        const names = datasetNames(split);
        const shape = [count, ...grid];
        file.create_dataset({ name: names.x, data: x, shape, dtype: '<f' });
        file.create_dataset({ name: names.y, data: y, shape, dtype: '<B' });
        counts[split] = count;
      }
      file.create_attribute('labels', [...SHAPES_SEG_LABELS]);
    } catch (error) {
      throw new DataError(`${out}: cannot write HDF5 file (${h5Reason(error)})`);
    } finally {
      file.close();
    }
  });
  return counts;
}
