import { Rng } from '@conv3d/core';
import { describe, expect, test } from 'vitest';
import {
  augmentVoxels,
  flip,
  intensityNoise,
  rotate90,
  rotateSmall,
  shift,
  trilinear,
} from '../src/augmentation/voxel-ops.js';

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
    flip(src, dst, 'x');
    expect(lit(dst)).toEqual([
      [15, 0, 0, 1],
      [14, 2, 3, 0.5],
    ]);
    flip(src, dst, 'y');
    expect(lit(dst)).toEqual([
      [0, 15, 0, 1],
      [1, 13, 3, 0.5],
    ]);
    flip(src, dst, 'z');
    expect(lit(dst)).toEqual([
      [1, 2, 12, 0.5],
      [0, 0, 15, 1],
    ]);
  });

  test('rotate90 in xy moves (x, y) to (15 − y, x); four turns are the identity', () => {
    const dst = out();
    rotate90(src, dst, 'xy', 1);
    expect(lit(dst)).toEqual([
      [15, 0, 0, 1],
      [13, 1, 3, 0.5],
    ]);
    rotate90(src, dst, 'xz', 1);
    // (x, z) → (15 − z, x): (1, 2, 3) → (12, 2, 1); (0, 0, 0) → (15, 0, 0)
    expect(lit(dst)).toEqual([
      [15, 0, 0, 1],
      [12, 2, 1, 0.5],
    ]);
    rotate90(src, dst, 'yz', 2);
    // two turns: (y, z) → (15 − y, 15 − z)
    expect(lit(dst)).toEqual([
      [1, 13, 12, 0.5],
      [0, 15, 15, 1],
    ]);
    rotate90(src, dst, 'xy', 4);
    expect(dst).toEqual(src);
  });

  test('shift moves content by whole voxels; what leaves the grid is gone, zeros come in', () => {
    const dst = out();
    shift(src, dst, 2, -1, 0);
    // (0, 0, 0) would go to y = −1: dropped.
    expect(lit(dst)).toEqual([[3, 1, 3, 0.5]]);
    shift(src, dst, 0, 0, 0);
    expect(dst).toEqual(src);
  });

  test('trilinear interpolation weights the 8 neighbours; outside is 0', () => {
    const g = grid([
      [3, 4, 5, 1],
      [4, 4, 5, 3],
    ]);
    expect(trilinear(g, 3, 4, 5)).toBe(1);
    expect(trilinear(g, 3.25, 4, 5)).toBe(0.75 * 1 + 0.25 * 3);
    // Halfway to y = 5 (empty): half the x-interpolated value.
    expect(trilinear(g, 3.5, 4.5, 5)).toBe(0.5 * (0.5 * 1 + 0.5 * 3));
    expect(trilinear(grid([[15, 15, 15, 2]]), 15.5, 15, 15)).toBe(1);
    expect(trilinear(g, -1, 4, 5)).toBe(0);
  });

  test('a small rotation of 0° is the identity, and of 90° about z equals the quarter turn', () => {
    const dst = out();
    rotateSmall(src, dst, 0, 0, 0);
    expect(dst).toEqual(src);
    const quarter = out();
    rotate90(src, quarter, 'xy', 1);
    rotateSmall(src, dst, 0, 0, 90);
    // cos 90° is 6e-17 in float64: the resampled values are the turned ones within rounding.
    for (let i = 0; i < 4096; i++) expect(dst[i]).toBeCloseTo(quarter[i] as number, 12);
  });

  test('a 10° rotation about z resamples the voxel at (11, 7.5 ± 0.5, z) where the hand formula says', () => {
    // One voxel 3.5 voxels right of the centre (7.5, 7.5): after +10° about z its centre moves to
    // c + R(10°)·(3.5, −0.5) = (7.5 + 3.5 cos10 + 0.5 sin10, 7.5 + 3.5 sin10 − 0.5 cos10).
    const g = grid([[11, 7, 4, 1]]);
    const dst = out();
    rotateSmall(g, dst, 0, 0, 10);
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
