// Step 1–4 of the recipe (FIELD-NOTES, after hankyang94/3DMNIST): a digit becomes the points on the faces of
// 1×1×6 boxes, one per lit pixel, normalised, centred and turned upright by a 90° rotation about y. Arithmetic and
// point order follow the numpy reference exactly (scripts/reference_recipe.py), so the originals are bit-exact.
import { MNIST_SIDE } from './mnist-idx.js';
import { linspace } from './numpy-linspace.js';

const SIDE = MNIST_SIDE + 2; // the digit padded with one empty pixel on every side

/** Points of one box face, in numpy's meshgrid(...).T.reshape(-1, 3) order. */
function face(xs: ArrayLike<number>, ys: ArrayLike<number>, zs: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let k = 0; k < zs.length; k++) {
    for (let i = 0; i < xs.length; i++) {
      for (let j = 0; j < ys.length; j++) out.push(xs[i] as number, ys[j] as number, zs[k] as number);
    }
  }
  return Float64Array.from(out);
}

const XS = linspace(-0.5, 0.5, 5);
const YS = linspace(-0.5, 0.5, 5);
const ZS = linspace(-3, 3, 30);
const FRONT = face(XS, YS, [3]);
const BACK = face(XS, YS, [-3]);
const TOP = face([-0.5], YS, ZS); // drawn where the pixel above (row − 1) is empty
const BOTTOM = face([0.5], YS, ZS); // row + 1
const LEFT = face(XS, [-0.5], ZS); // column − 1
const RIGHT = face(XS, [0.5], ZS); // column + 1

/** Most points one digit can give: every pixel lit, every side face drawn. */
export const MAX_POINTS = (MNIST_SIDE * MNIST_SIDE * (2 * FRONT.length + 4 * TOP.length)) / 3;

/** Reusable xyz storage for one point cloud (structure of arrays). */
export class CloudBuffer {
  readonly x = new Float64Array(MAX_POINTS);
  readonly y = new Float64Array(MAX_POINTS);
  readonly z = new Float64Array(MAX_POINTS);
  /** Scratch: each point's voxel index. */
  readonly voxel = new Int32Array(MAX_POINTS);
  count = 0;
}

const DEG90 = 90 * (Math.PI / 180); // numpy.deg2rad(90)
/** cos 90° in float64 (6.1e-17, not 0): it decides on which side of a voxel boundary many points fall. */
export const COS90 = Math.cos(DEG90);
export const SIN90 = Math.sin(DEG90);

/** Fills `out` with the upright, normalised cloud of the 28×28 image at `image[offset…]`. */
export function digitCloud(image: Uint8Array, offset: number, out: CloudBuffer): void {
  const lit = (r: number, c: number): boolean =>
    r >= 1 &&
    r <= MNIST_SIDE &&
    c >= 1 &&
    c <= MNIST_SIDE &&
    image[offset + (r - 1) * MNIST_SIDE + c - 1] !== 0;
  let n = 0;
  const put = (f: Float64Array, r: number, c: number): void => {
    for (let p = 0; p < f.length; p += 3) {
      out.x[n] = (f[p] as number) + r;
      out.y[n] = (f[p + 1] as number) + c;
      out.z[n] = f[p + 2] as number;
      n++;
    }
  };
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      if (!lit(r, c)) continue;
      put(FRONT, r, c);
      put(BACK, r, c);
      if (!lit(r - 1, c)) put(TOP, r, c);
      if (!lit(r + 1, c)) put(BOTTOM, r, c);
      if (!lit(r, c - 1)) put(LEFT, r, c);
      if (!lit(r, c + 1)) put(RIGHT, r, c);
    }
  }
  out.count = n;
  normaliseUpright(out);
}

/** Per-axis minima and maxima of a cloud's points. */
export interface CloudBounds {
  x0: number;
  y0: number;
  z0: number;
  x1: number;
  y1: number;
  z1: number;
}

export function cloudBounds(cloud: CloudBuffer): CloudBounds {
  const { x, y, z, count: n } = cloud;
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let z0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  let z1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    const yi = y[i] as number;
    const zi = z[i] as number;
    if (xi < x0) x0 = xi;
    if (xi > x1) x1 = xi;
    if (yi < y0) y0 = yi;
    if (yi > y1) y1 = yi;
    if (zi < z0) z0 = zi;
    if (zi > z1) z1 = zi;
  }
  return { x0, y0, z0, x1, y1, z1 };
}

/**
 * Scales by the largest extent (offset by that axis' minimum), centres each axis on its mean, then applies
 * [x y z 1] @ Ry(90) as numpy computes it: x' = x·c + z·s, y' = y, z' = −x·s + z·c (the matrix' zero terms add
 * nothing but the sign of a zero, which no voxel index sees).
 */
function normaliseUpright(cloud: CloudBuffer): void {
  const { x, y, z, count: n } = cloud;
  const { x0, y0, z0, x1, y1, z1 } = cloudBounds(cloud);
  // numpy.argmax: the first axis with the largest extent
  let origin = x0;
  let extent = x1 - x0;
  if (y1 - y0 > extent) [origin, extent] = [y0, y1 - y0];
  if (z1 - z0 > extent) [origin, extent] = [z0, z1 - z0];
  // numpy's mean over axis 0 of an (N, 3) array adds row by row, left to right.
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (let i = 0; i < n; i++) {
    const xi = ((x[i] as number) - origin) / extent;
    const yi = ((y[i] as number) - origin) / extent;
    const zi = ((z[i] as number) - origin) / extent;
    x[i] = xi;
    y[i] = yi;
    z[i] = zi;
    sx += xi;
    sy += yi;
    sz += zi;
  }
  const mx = sx / n;
  const my = sy / n;
  const mz = sz / n;
  for (let i = 0; i < n; i++) {
    const xi = (x[i] as number) - mx;
    const zi = (z[i] as number) - mz;
    x[i] = xi * COS90 + zi * SIN90;
    y[i] = (y[i] as number) - my;
    z[i] = xi * -SIN90 + zi * COS90;
  }
}
