import { Rng } from '@conv3d/core';
import { describe, expect, test } from 'vitest';
import {
  augmentVoxels,
  flip,
  intensityNoise,
  quarterTurnProblem,
  rotate90,
  rotateSmall,
  shift,
  trilinear,
  VoxelGrid,
} from '../src/augmentation/voxel-ops.js';

/** 3D MNIST's grid. */
const G = new VoxelGrid(16, 16, 16);

const at = (x: number, y: number, z: number): number => x + 16 * y + 256 * z;
/** A grid with the given voxels set. */
function grid(voxels: Array<[number, number, number, number]>): Float64Array {
  const g = new Float64Array(4096);
  for (const [x, y, z, v] of voxels) g[at(x, y, z)] = v;
  return g;
}
const lit = (g: Float64Array): Array<[number, number, number, number]> => {
  const out: Array<[number, number, number, number]> = [];
  g.forEach((v, i) => {
    if (v !== 0) out.push([i % 16, (i >> 4) % 16, i >> 8, v]);
  });
  return out;
};
const out = (): Float64Array => new Float64Array(4096);

describe('voxel-grid augmentations, against hand-computed cases', () => {
  const src = grid([
    [1, 2, 3, 0.5],
    [0, 0, 0, 1],
  ]);

  test('flip mirrors one axis: x → 15 − x, and so on', () => {
    const dst = out();
    flip(G, src, dst, 'x');
    expect(lit(dst)).toEqual([
      [15, 0, 0, 1],
      [14, 2, 3, 0.5],
    ]);
    flip(G, src, dst, 'y');
    expect(lit(dst)).toEqual([
      [0, 15, 0, 1],
      [1, 13, 3, 0.5],
    ]);
    flip(G, src, dst, 'z');
    expect(lit(dst)).toEqual([
      [1, 2, 12, 0.5],
      [0, 0, 15, 1],
    ]);
  });

  test('rotate90 in xy moves (x, y) to (15 − y, x); four turns are the identity', () => {
    const dst = out();
    rotate90(G, src, dst, 'xy', 1);
    expect(lit(dst)).toEqual([
      [15, 0, 0, 1],
      [13, 1, 3, 0.5],
    ]);
    rotate90(G, src, dst, 'xz', 1);
    // (x, z) → (15 − z, x): (1, 2, 3) → (12, 2, 1); (0, 0, 0) → (15, 0, 0)
    expect(lit(dst)).toEqual([
      [15, 0, 0, 1],
      [12, 2, 1, 0.5],
    ]);
    rotate90(G, src, dst, 'yz', 2);
    // two turns: (y, z) → (15 − y, 15 − z)
    expect(lit(dst)).toEqual([
      [1, 13, 12, 0.5],
      [0, 15, 15, 1],
    ]);
    rotate90(G, src, dst, 'xy', 4);
    expect(dst).toEqual(src);
  });

  test('shift moves content by whole voxels; what leaves the grid is gone, zeros come in', () => {
    const dst = out();
    shift(G, src, dst, 2, -1, 0);
    // (0, 0, 0) would go to y = −1: dropped.
    expect(lit(dst)).toEqual([[3, 1, 3, 0.5]]);
    shift(G, src, dst, 0, 0, 0);
    expect(dst).toEqual(src);
  });

  test('trilinear interpolation weights the 8 neighbours; outside is 0', () => {
    const g = grid([
      [3, 4, 5, 1],
      [4, 4, 5, 3],
    ]);
    expect(trilinear(G, g, 3, 4, 5)).toBe(1);
    expect(trilinear(G, g, 3.25, 4, 5)).toBe(0.75 * 1 + 0.25 * 3);
    // Halfway to y = 5 (empty): half the x-interpolated value.
    expect(trilinear(G, g, 3.5, 4.5, 5)).toBe(0.5 * (0.5 * 1 + 0.5 * 3));
    expect(trilinear(G, grid([[15, 15, 15, 2]]), 15.5, 15, 15)).toBe(1);
    expect(trilinear(G, g, -1, 4, 5)).toBe(0);
  });

  test('a small rotation of 0° is the identity, and of 90° about z equals the quarter turn', () => {
    const dst = out();
    rotateSmall(G, src, dst, 0, 0, 0);
    expect(dst).toEqual(src);
    const quarter = out();
    rotate90(G, src, quarter, 'xy', 1);
    rotateSmall(G, src, dst, 0, 0, 90);
    // cos 90° is 6e-17 in float64: the resampled values are the turned ones within rounding.
    for (let i = 0; i < 4096; i++) expect(dst[i]).toBeCloseTo(quarter[i] as number, 12);
  });

  test('a 10° rotation about z resamples the voxel at (11, 7.5 ± 0.5, z) where the hand formula says', () => {
    // One voxel 3.5 voxels right of the centre (7.5, 7.5): after +10° about z its centre moves to
    // c + R(10°)·(3.5, −0.5) = (7.5 + 3.5 cos10 + 0.5 sin10, 7.5 + 3.5 sin10 − 0.5 cos10).
    const g = grid([[11, 7, 4, 1]]);
    const dst = out();
    rotateSmall(G, g, dst, 0, 0, 10);
    const c = Math.cos((10 * Math.PI) / 180);
    const s = Math.sin((10 * Math.PI) / 180);
    const px = 7.5 + 3.5 * c + 0.5 * s;
    const py = 7.5 + 3.5 * s - 0.5 * c;
    // Output voxel (11, 7): its source point is R(−10°)·((11, 7) − c) + c; the voxel's share is the tent weight.
    const qx = 7.5 + c * 3.5 + s * -0.5;
    const qy = 7.5 - s * 3.5 + c * -0.5;
    expect(dst[at(11, 7, 4)]).toBeCloseTo((1 - Math.abs(qx - 11)) * (1 - Math.abs(qy - 7)), 12);
    // The mass lands around the moved centre, and nothing moves along z.
    let sum = 0;
    let mx = 0;
    let my = 0;
    for (const [x, y, z, v] of lit(dst)) {
      expect(z).toBe(4);
      sum += v;
      mx += x * v;
      my += y * v;
    }
    expect(Math.abs(mx / sum - px)).toBeLessThan(0.2);
    expect(Math.abs(my / sum - py)).toBeLessThan(0.2);
  });

  test('intensity noise touches occupied voxels only (by default), never goes below 0, has the asked std', () => {
    const full = new Float64Array(4096).fill(0.5);
    const dst = out();
    intensityNoise(full, dst, 0.1, true, new Rng(1));
    const d = Array.from(dst, (v) => v - 0.5);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.006);
    expect(Math.abs(std - 0.1)).toBeLessThan(0.006);
    intensityNoise(src, dst, 0.1, true, new Rng(1));
    expect(lit(dst).map(([x, y, z]) => [x, y, z])).toEqual(
      lit(src)
        .map(([x, y, z]) => [x, y, z])
        .filter(([x, y, z]) => (dst[at(x as number, y as number, z as number)] as number) > 0),
    );
    intensityNoise(src, dst, 0.9, false, new Rng(2));
    expect(Math.min(...dst)).toBe(0);
    expect(dst.filter((v) => v > 0).length).toBeGreaterThan(1000);
  });

  test('augmentVoxels is seeded: the same stream gives the same row, another stream another', () => {
    const row = (seed: number): Float64Array => {
      const r = Float64Array.from(src);
      augmentVoxels(
        G,
        r,
        out(),
        {
          flip: { axes: ['x', 'y'], probability: 0.5 },
          rotate90: { planes: ['xy'], probability: 0.5 },
          rotate: { maxDegrees: 10, axes: ['x', 'y', 'z'], probability: 1 },
          shift: { max: 1, probability: 1 },
          intensityNoise: { std: 0.05, occupiedOnly: true },
        },
        new Rng(seed),
      );
      return r;
    };
    expect(row(3)).toEqual(row(3));
    expect(row(4)).not.toEqual(row(3));
  });
});

describe('voxel-grid augmentations on a non-cubic grid with 2 channels per voxel', () => {
  // x: 5, y: 4, z: 3 voxels; row-major over z (D), y (H), x (W), channel — the contract's 'dhwc'.
  const g = new VoxelGrid(5, 4, 3, 2);
  const row = (voxels: Array<[number, number, number, number, number]>): Float64Array => {
    const r = new Float64Array(g.length);
    for (const [x, y, z, c0, c1] of voxels) {
      r[g.at(x, y, z)] = c0;
      r[g.at(x, y, z) + 1] = c1;
    }
    return r;
  };
  const src = row([[1, 2, 0, 0.25, 0.75]]);
  const voxel = (r: Float64Array, x: number, y: number, z: number): number[] => [
    r[g.at(x, y, z)] as number,
    r[g.at(x, y, z) + 1] as number,
  ];

  test('the grid of a contract: D, H, W = z, y, x', () => {
    const c = VoxelGrid.fromContract([3, 4, 5], 2);
    expect([c.nx, c.ny, c.nz, c.channels, c.length]).toEqual([5, 4, 3, 2, 120]);
    expect(c.at(1, 2, 0)).toBe((1 + 5 * 2) * 2);
  });

  test('flips and shifts move both channels of a voxel together, along each axis size', () => {
    const dst = new Float64Array(g.length);
    flip(g, src, dst, 'x');
    expect(voxel(dst, 3, 2, 0)).toEqual([0.25, 0.75]);
    flip(g, src, dst, 'y');
    expect(voxel(dst, 1, 1, 0)).toEqual([0.25, 0.75]);
    flip(g, src, dst, 'z');
    expect(voxel(dst, 1, 2, 2)).toEqual([0.25, 0.75]);
    shift(g, src, dst, 3, 1, 2);
    expect(voxel(dst, 4, 3, 2)).toEqual([0.25, 0.75]);
    expect(dst.reduce((a, b) => a + b, 0)).toBe(1);
    shift(g, src, dst, 4, 0, 0);
    expect(dst.every((v) => v === 0)).toBe(true);
  });

  test('a quarter turn needs equal sizes in its plane; a small rotation keeps both channels', () => {
    expect(quarterTurnProblem(g, 'xy')).toBe(
      "a quarter turn in 'xy' needs equal sizes along x and y, the grid has 5 and 4",
    );
    expect(quarterTurnProblem(new VoxelGrid(4, 4, 3), 'xy')).toBeNull();
    const square = new VoxelGrid(4, 4, 3, 2);
    const r = new Float64Array(square.length);
    r[square.at(1, 0, 2)] = 0.5;
    r[square.at(1, 0, 2) + 1] = 1;
    const dst = new Float64Array(square.length);
    rotate90(square, r, dst, 'xy', 1);
    // (x, y) → (3 − y, x)
    expect([dst[square.at(3, 1, 2)], dst[square.at(3, 1, 2) + 1]]).toEqual([0.5, 1]);
    const same = new Float64Array(g.length);
    rotateSmall(g, src, same, 0, 0, 0);
    expect(same).toEqual(src);
    rotateSmall(g, src, same, 0, 0, 7);
    // Both channels are resampled with the same weights: channel 1 stays 3 × channel 0 in every voxel.
    let moved = 0;
    for (let i = 0; i < same.length; i += 2) {
      expect(same[i + 1]).toBeCloseTo(3 * (same[i] as number), 12);
      moved += same[i] as number;
    }
    expect(moved).toBeGreaterThan(0.2);
  });
});
