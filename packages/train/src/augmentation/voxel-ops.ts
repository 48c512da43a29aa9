// Augmentations of one raw 16³ row (index x + 16·y + 256·z, as 3D MNIST stores it): flips, quarter turns, whole-
// voxel shifts, small rotations with trilinear resampling and intensity noise. Each writes `dst` from `src`
// (distinct arrays); anything that leaves the grid is dropped and anything entering it is 0.
import type { Rng } from '@conv3d/core';
import { GRID, ROW_LENGTH as VOXELS } from '@conv3d/data';
import type { Axis, Plane, VoxelAugmentationConfig } from './config.js';

const G = GRID;
const LAST = G - 1;
const CENTRE = LAST / 2;
const DEG = Math.PI / 180;

export type Row = Float64Array;

const at = (x: number, y: number, z: number): number => x + G * (y + G * z);

/** Mirrors along `axis`: dst[x] = src[15 − x] (for axis x). */
export function flip(src: Row, dst: Row, axis: Axis): void {
  for (let z = 0; z < G; z++) {
    for (let y = 0; y < G; y++) {
      for (let x = 0; x < G; x++) {
        const from =
          axis === 'x' ? at(LAST - x, y, z) : axis === 'y' ? at(x, LAST - y, z) : at(x, y, LAST - z);
        dst[at(x, y, z)] = src[from] as number;
      }
    }
  }
}

/**
 * Turns by k·90° in `plane`, from its first axis towards its second: in 'xy' a voxel at (x, y) moves to
 * (15 − y, x) for k = 1 (a right-handed turn about z; 'xz' and 'yz' likewise about −y and x).
 */
export function rotate90(src: Row, dst: Row, plane: Plane, k: number): void {
  const turns = ((k % 4) + 4) % 4;
  const [a, b] = plane === 'xy' ? [0, 1] : plane === 'xz' ? [0, 2] : [1, 2];
  const p = [0, 0, 0];
  for (let z = 0; z < G; z++) {
    for (let y = 0; y < G; y++) {
      for (let x = 0; x < G; x++) {
        p[0] = x;
        p[1] = y;
        p[2] = z;
        for (let t = 0; t < turns; t++) {
          const u = p[a] as number;
          p[a] = LAST - (p[b] as number);
          p[b] = u;
        }
        dst[at(p[0] as number, p[1] as number, p[2] as number)] = src[at(x, y, z)] as number;
      }
    }
  }
}

/** Moves the content by (dx, dy, dz) whole voxels. */
export function shift(src: Row, dst: Row, dx: number, dy: number, dz: number): void {
  dst.fill(0);
  for (let z = Math.max(0, dz); z < Math.min(G, G + dz); z++) {
    for (let y = Math.max(0, dy); y < Math.min(G, G + dy); y++) {
      for (let x = Math.max(0, dx); x < Math.min(G, G + dx); x++) {
        dst[at(x, y, z)] = src[at(x - dx, y - dy, z - dz)] as number;
      }
    }
  }
}

/** Trilinear interpolation of `src` at voxel coordinates (x, y, z); outside the grid counts as 0. */
export function trilinear(src: Row, x: number, y: number, z: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const z0 = Math.floor(z);
  const fx = x - x0;
  const fy = y - y0;
  const fz = z - z0;
  let sum = 0;
  for (let k = 0; k < 2; k++) {
    const zi = z0 + k;
    if (zi < 0 || zi > LAST) continue;
    const wz = k ? fz : 1 - fz;
    for (let j = 0; j < 2; j++) {
      const yi = y0 + j;
      if (yi < 0 || yi > LAST) continue;
      const wy = j ? fy : 1 - fy;
      for (let i = 0; i < 2; i++) {
        const xi = x0 + i;
        if (xi < 0 || xi > LAST) continue;
        const w = (i ? fx : 1 - fx) * wy * wz;
        if (w !== 0) sum += w * (src[at(xi, yi, zi)] as number);
      }
    }
  }
  return sum;
}

type Matrix3 = [number, number, number, number, number, number, number, number, number];

/** R = Rz(c)·Ry(b)·Rx(a) for column vectors (angles in degrees), row-major. */
export function rotationMatrix(a: number, b: number, c: number): Matrix3 {
  const [ca, sa] = [Math.cos(a * DEG), Math.sin(a * DEG)];
  const [cb, sb] = [Math.cos(b * DEG), Math.sin(b * DEG)];
  const [cc, sc] = [Math.cos(c * DEG), Math.sin(c * DEG)];
  return [
    cc * cb,
    cc * sb * sa - sc * ca,
    cc * sb * ca + sc * sa,
    sc * cb,
    sc * sb * sa + cc * ca,
    sc * sb * ca - cc * sa,
    -sb,
    cb * sa,
    cb * ca,
  ];
}

/**
 * Rotates the content about the grid centre (7.5, 7.5, 7.5) by R = Rz·Ry·Rx: each output voxel p takes the
 * trilinear value of src at Rᵀ(p − c) + c.
 */
export function rotateSmall(src: Row, dst: Row, xDeg: number, yDeg: number, zDeg: number): void {
  const r = rotationMatrix(xDeg, yDeg, zDeg);
  for (let z = 0; z < G; z++) {
    const pz = z - CENTRE;
    for (let y = 0; y < G; y++) {
      const py = y - CENTRE;
      for (let x = 0; x < G; x++) {
        const px = x - CENTRE;
        // Rᵀ·p: the columns of R dotted with p.
        const qx = r[0] * px + r[3] * py + r[6] * pz + CENTRE;
        const qy = r[1] * px + r[4] * py + r[7] * pz + CENTRE;
        const qz = r[2] * px + r[5] * py + r[8] * pz + CENTRE;
        dst[at(x, y, z)] = trilinear(src, qx, qy, qz);
      }
    }
  }
}

/** Adds N(0, std) noise (draws from `rng`, one per touched voxel in index order) and clamps at 0. */
export function intensityNoise(src: Row, dst: Row, std: number, occupiedOnly: boolean, rng: Rng): void {
  for (let i = 0; i < VOXELS; i++) {
    const v = src[i] as number;
    dst[i] = occupiedOnly && v === 0 ? 0 : Math.max(0, v + rng.normal(0, std));
  }
}

/**
 * Applies the configured augmentations in a fixed order (flips, quarter turn, small rotation, shift, noise),
 * each with its probability, to `row` in place; `scratch` is a second 4096-value buffer. Draws from `rng`.
 */
export function augmentVoxels(row: Row, scratch: Row, config: VoxelAugmentationConfig, rng: Rng): void {
  let a = row;
  let b = scratch;
  const done = (): void => {
    [a, b] = [b, a];
  };
  if (config.flip) {
    for (const axis of config.flip.axes) {
      if (rng.next() < config.flip.probability) {
        flip(a, b, axis);
        done();
      }
    }
  }
  if (config.rotate90 && rng.next() < config.rotate90.probability) {
    const { planes } = config.rotate90;
    const plane = planes[Math.floor(rng.next() * planes.length)] as Plane;
    rotate90(a, b, plane, 1 + Math.floor(rng.next() * 3));
    done();
  }
  if (config.rotate && rng.next() < config.rotate.probability) {
    const { maxDegrees, axes } = config.rotate;
    const angle = (axis: Axis): number => (axes.includes(axis) ? rng.uniform(-maxDegrees, maxDegrees) : 0);
    const ax = angle('x');
    const ay = angle('y');
    const az = angle('z');
    rotateSmall(a, b, ax, ay, az);
    done();
  }
  if (config.shift && rng.next() < config.shift.probability) {
    const { max } = config.shift;
    const offset = (): number => Math.floor(rng.next() * (2 * max + 1)) - max;
    const dx = offset();
    const dy = offset();
    const dz = offset();
    shift(a, b, dx, dy, dz);
    done();
  }
  if (config.intensityNoise) {
    intensityNoise(a, b, config.intensityNoise.std, config.intensityNoise.occupiedOnly, rng);
    done();
  }
  if (a !== row) row.set(a);
}
