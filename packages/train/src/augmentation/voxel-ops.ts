// Augmentations of one raw row of any D×H×W grid with C values per voxel (row-major over D, H, W, C, the
// contract's 'dhwc' order; 3D MNIST's x + 16·y + 256·z is x = W, y = H, z = D): flips, quarter turns, whole-voxel
// shifts, small rotations with trilinear resampling and intensity noise. A voxel's C values move together. Each
// op writes `dst` from `src` (distinct arrays); anything that leaves the grid is dropped and anything entering it
// is 0.
import type { Rng } from '@conv3d/core';
import type { Axis, Plane, VoxelAugmentationConfig } from './config.js';

const DEG = Math.PI / 180;

export type Row = Float64Array;
/** Any voxel values a flip moves: raw rows, preprocessed inputs or label volumes. */
export type Voxels = Float64Array | Float32Array | Int32Array;

/** The grid a row holds: sizes along x (W), y (H) and z (D), and values per voxel. */
export class VoxelGrid {
  readonly length: number;
  constructor(
    readonly nx: number,
    readonly ny: number,
    readonly nz: number,
    readonly channels = 1,
  ) {
    this.length = nx * ny * nz * channels;
  }

  /** The contract's grid [D, H, W] and raw channels. */
  static fromContract(grid: readonly [number, number, number], rawChannels: number): VoxelGrid {
    return new VoxelGrid(grid[2], grid[1], grid[0], rawChannels);
  }

  /** Voxels along `axis`. */
  size(axis: Axis): number {
    return axis === 'x' ? this.nx : axis === 'y' ? this.ny : this.nz;
  }

  /** Index of the first value of voxel (x, y, z). */
  at(x: number, y: number, z: number): number {
    return (x + this.nx * (y + this.ny * z)) * this.channels;
  }
}

function copyVoxel<T extends Voxels>(src: T, from: number, dst: T, to: number, channels: number): void {
  for (let c = 0; c < channels; c++) dst[to + c] = src[from + c] as number;
}

/** Mirrors along `axis`: dst(x) = src(nx − 1 − x) for axis x. */
export function flip<T extends Voxels>(g: VoxelGrid, src: T, dst: T, axis: Axis): void {
  const { nx, ny, nz, channels } = g;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const from =
          axis === 'x'
            ? g.at(nx - 1 - x, y, z)
            : axis === 'y'
              ? g.at(x, ny - 1 - y, z)
              : g.at(x, y, nz - 1 - z);
        copyVoxel(src, from, dst, g.at(x, y, z), channels);
      }
    }
  }
}

/** The two axes a plane turns, first towards second. */
function planeAxes(plane: Plane): [Axis, Axis] {
  return plane === 'xy' ? ['x', 'y'] : plane === 'xz' ? ['x', 'z'] : ['y', 'z'];
}

/** A quarter turn maps the grid onto itself only where the plane's two sizes agree; null when they do. */
export function quarterTurnProblem(g: VoxelGrid, plane: Plane): string | null {
  const [a, b] = planeAxes(plane);
  return g.size(a) === g.size(b)
    ? null
    : `a quarter turn in '${plane}' needs equal sizes along ${a} and ${b}, the grid has ${g.size(a)} and ${g.size(b)}`;
}

/**
 * Turns by k·90° in `plane`, from its first axis towards its second: in 'xy' a voxel at (x, y) moves to
 * (n − 1 − y, x) for k = 1 (a right-handed turn about z; 'xz' and 'yz' likewise about −y and x). The plane's two
 * sizes must agree (quarterTurnProblem).
 */
export function rotate90(g: VoxelGrid, src: Row, dst: Row, plane: Plane, k: number): void {
  const turns = ((k % 4) + 4) % 4;
  const [axisA, axisB] = planeAxes(plane);
  const a = axisA === 'x' ? 0 : 1;
  const b = axisB === 'y' ? 1 : 2;
  const last = g.size(axisA) - 1;
  const p = [0, 0, 0];
  for (let z = 0; z < g.nz; z++) {
    for (let y = 0; y < g.ny; y++) {
      for (let x = 0; x < g.nx; x++) {
        p[0] = x;
        p[1] = y;
        p[2] = z;
        for (let t = 0; t < turns; t++) {
          const u = p[a] as number;
          p[a] = last - (p[b] as number);
          p[b] = u;
        }
        copyVoxel(src, g.at(x, y, z), dst, g.at(p[0] as number, p[1] as number, p[2] as number), g.channels);
      }
    }
  }
}

/** Moves the content by (dx, dy, dz) whole voxels. */
export function shift(g: VoxelGrid, src: Row, dst: Row, dx: number, dy: number, dz: number): void {
  const { nx, ny, nz, channels } = g;
  dst.fill(0);
  for (let z = Math.max(0, dz); z < Math.min(nz, nz + dz); z++) {
    for (let y = Math.max(0, dy); y < Math.min(ny, ny + dy); y++) {
      for (let x = Math.max(0, dx); x < Math.min(nx, nx + dx); x++) {
        copyVoxel(src, g.at(x - dx, y - dy, z - dz), dst, g.at(x, y, z), channels);
      }
    }
  }
}

/**
 * Trilinear interpolation of channel `c` of `src` at voxel coordinates (x, y, z); outside the grid counts as 0.
 */
export function trilinear(g: VoxelGrid, src: Row, x: number, y: number, z: number, c = 0): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const z0 = Math.floor(z);
  const fx = x - x0;
  const fy = y - y0;
  const fz = z - z0;
  let sum = 0;
  for (let k = 0; k < 2; k++) {
    const zi = z0 + k;
    if (zi < 0 || zi >= g.nz) continue;
    const wz = k ? fz : 1 - fz;
    for (let j = 0; j < 2; j++) {
      const yi = y0 + j;
      if (yi < 0 || yi >= g.ny) continue;
      const wy = j ? fy : 1 - fy;
      for (let i = 0; i < 2; i++) {
        const xi = x0 + i;
        if (xi < 0 || xi >= g.nx) continue;
        const w = (i ? fx : 1 - fx) * wy * wz;
        if (w !== 0) sum += w * (src[g.at(xi, yi, zi) + c] as number);
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
 * Rotates the content about the grid centre ((nx − 1)/2, (ny − 1)/2, (nz − 1)/2) by R = Rz·Ry·Rx: each output
 * voxel p takes the trilinear value of src at Rᵀ(p − c) + c, channel by channel.
 */
export function rotateSmall(
  g: VoxelGrid,
  src: Row,
  dst: Row,
  xDeg: number,
  yDeg: number,
  zDeg: number,
): void {
  const r = rotationMatrix(xDeg, yDeg, zDeg);
  const [cx, cy, cz] = [(g.nx - 1) / 2, (g.ny - 1) / 2, (g.nz - 1) / 2];
  for (let z = 0; z < g.nz; z++) {
    const pz = z - cz;
    for (let y = 0; y < g.ny; y++) {
      const py = y - cy;
      for (let x = 0; x < g.nx; x++) {
        const px = x - cx;
        // Rᵀ·p: the columns of R dotted with p.
        const qx = r[0] * px + r[3] * py + r[6] * pz + cx;
        const qy = r[1] * px + r[4] * py + r[7] * pz + cy;
        const qz = r[2] * px + r[5] * py + r[8] * pz + cz;
        const to = g.at(x, y, z);
        for (let c = 0; c < g.channels; c++) dst[to + c] = trilinear(g, src, qx, qy, qz, c);
      }
    }
  }
}

/** Adds N(0, std) noise (draws from `rng`, one per touched value in index order) and clamps at 0. */
export function intensityNoise(src: Row, dst: Row, std: number, occupiedOnly: boolean, rng: Rng): void {
  for (let i = 0; i < src.length; i++) {
    const v = src[i] as number;
    dst[i] = occupiedOnly && v === 0 ? 0 : Math.max(0, v + rng.normal(0, std));
  }
}

/**
 * Applies the configured augmentations in a fixed order (flips, quarter turn, small rotation, shift, noise),
 * each with its probability, to `row` in place; `scratch` is a second buffer of the row's length. Draws from
 * `rng`.
 */
export function augmentVoxels(
  g: VoxelGrid,
  row: Row,
  scratch: Row,
  config: VoxelAugmentationConfig,
  rng: Rng,
): void {
  let a = row;
  let b = scratch;
  const done = (): void => {
    [a, b] = [b, a];
  };
  if (config.flip) {
    for (const axis of config.flip.axes) {
      if (rng.next() < config.flip.probability) {
        flip(g, a, b, axis);
        done();
      }
    }
  }
  if (config.rotate90 && rng.next() < config.rotate90.probability) {
    const { planes } = config.rotate90;
    const plane = planes[Math.floor(rng.next() * planes.length)] as Plane;
    rotate90(g, a, b, plane, 1 + Math.floor(rng.next() * 3));
    done();
  }
  if (config.rotate && rng.next() < config.rotate.probability) {
    const { maxDegrees, axes } = config.rotate;
    const angle = (axis: Axis): number => (axes.includes(axis) ? rng.uniform(-maxDegrees, maxDegrees) : 0);
    const ax = angle('x');
    const ay = angle('y');
    const az = angle('z');
    rotateSmall(g, a, b, ax, ay, az);
    done();
  }
  if (config.shift && rng.next() < config.shift.probability) {
    const { max } = config.shift;
    const offset = (): number => Math.floor(rng.next() * (2 * max + 1)) - max;
    const dx = offset();
    const dy = offset();
    const dz = offset();
    shift(g, a, b, dx, dy, dz);
    done();
  }
  if (config.intensityNoise) {
    intensityNoise(a, b, config.intensityNoise.std, config.intensityNoise.occupiedOnly, rng);
    done();
  }
  if (a !== row) row.set(a);
}
