// Axis orientation as nibabel's orientations module computes it: io_orientation (the closest axis alignment of an
// affine, through its polar decomposition, greedy by input axis), and the flips and transposition that take an
// array to a target axis code ('RAS' = as_closest_canonical, 'LIA' = FreeSurfer's conformed space, ...).
import { type Affine, multiply } from './affine.js';
import type { VoxelArray } from './datatype.js';

/** Per array axis: the world axis (0 = x L→R, 1 = y P→A, 2 = z I→S) it runs along, and +1/−1 for its direction. */
export type AxisOrientation = readonly { axis: number; sign: 1 | -1 }[];

/** How to build a reoriented array: output axis t reads input axis `from[t]`, reversed when `flip[t]`. */
export interface AxisTransform {
  from: readonly [number, number, number];
  flip: readonly [boolean, boolean, boolean];
}

const LETTERS = [
  ['L', 'R'],
  ['P', 'A'],
  ['I', 'S'],
] as const;

/** Off-axis share of a normalised affine column above which the affine is called oblique. */
const OBLIQUE_TOLERANCE = 1e-4;

/** nibabel's io_orientation: the closest axis alignment of the affine's 3×3 part. */
export function ioOrientation(affine: Affine): AxisOrientation {
  const rs = normalisedColumns(affine);
  const r = polar(rs);
  const out: { axis: number; sign: 1 | -1 }[] = [];
  for (let col = 0; col < 3; col++) {
    let best = -1;
    let bestAbs = 0;
    for (let row = 0; row < 3; row++) {
      const v = Math.abs((r[row] as number[])[col] as number);
      if (v > bestAbs) {
        best = row;
        bestAbs = v;
      }
    }
    if (best < 0) best = [0, 1, 2].find((a) => !out.some((o) => o.axis === a)) as number;
    out.push({ axis: best, sign: ((r[best] as number[])[col] as number) < 0 ? -1 : 1 });
    (r[best] as number[]).fill(0);
  }
  return out;
}

/** True when some column of the affine is not parallel to a world axis (the alignment is then approximate). */
export function isOblique(affine: Affine): boolean {
  return normalisedColumns(affine).some((row) =>
    row.some((v) => Math.abs(v) > OBLIQUE_TOLERANCE && Math.abs(v) < 1 - OBLIQUE_TOLERANCE),
  );
}

/** nibabel's aff2axcodes: the letters the array axes point to, e.g. 'LPS'. */
export function axisCodes(orientation: AxisOrientation): string {
  return orientation.map((o) => LETTERS[o.axis]?.[o.sign > 0 ? 1 : 0]).join('');
}

/** The flips and transposition taking an array of `orientation` to `target` (3 axis letters, or 'stored'). */
export function transformTo(orientation: AxisOrientation, target: string): AxisTransform {
  if (target === 'stored') return { from: [0, 1, 2], flip: [false, false, false] };
  const from: number[] = [];
  const flip: boolean[] = [];
  for (const letter of target) {
    const axis = LETTERS.findIndex((pair) => (pair as readonly string[]).includes(letter));
    const sign = LETTERS[axis]?.[1] === letter ? 1 : -1;
    const source = orientation.findIndex((o) => o.axis === axis);
    from.push(source);
    flip.push((orientation[source] as { sign: number }).sign !== sign);
  }
  return { from: from as [number, number, number], flip: flip as [boolean, boolean, boolean] };
}

/** The shape after the transform. */
export function transformShape(t: AxisTransform, shape: readonly number[]): [number, number, number] {
  return t.from.map((a) => shape[a] as number) as [number, number, number];
}

/** The affine of the transformed array: the input affine times the map from new voxel indices to old ones. */
export function transformAffine(t: AxisTransform, affine: Affine, shape: readonly number[]): Affine {
  const m: Affine = [0, 1, 2, 3].map((i) => [0, 0, 0, i === 3 ? 1 : 0]);
  t.from.forEach((a, o) => {
    const row = m[a] as number[];
    row[o] = t.flip[o] ? -1 : 1;
    if (t.flip[o]) row[3] = (shape[a] as number) - 1;
  });
  return multiply(affine, m);
}

/** The transform that undoes `t`. */
export function inverseTransform(t: AxisTransform): AxisTransform {
  const from = [0, 0, 0];
  const flip = [false, false, false];
  t.from.forEach((a, o) => {
    from[a] = o;
    flip[a] = t.flip[o] as boolean;
  });
  return { from: from as [number, number, number], flip: flip as [boolean, boolean, boolean] };
}

function normalisedColumns(affine: Affine): number[][] {
  const rs = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (affine[i] as number[])[j] as number));
  for (let j = 0; j < 3; j++) {
    const norm = Math.hypot(...rs.map((row) => row[j] as number)) || 1;
    for (const row of rs) row[j] = (row[j] as number) / norm;
  }
  return rs;
}

// The orthogonal polar factor (the closest rotation-reflection, what nibabel gets from the SVD) by Newton's
// iteration R ← (R + R⁻ᵀ) / 2; a singular matrix (a zero column) is returned as is.
function polar(m: number[][]): number[][] {
  let r = m.map((row) => [...row]);
  for (let iter = 0; iter < 100; iter++) {
    const inv = inverse3(r);
    if (inv === undefined) return r;
    const next = r.map((row, i) => row.map((v, j) => (v + ((inv[j] as number[])[i] as number)) / 2));
    const change = Math.max(
      ...next.flatMap((row, i) => row.map((v, j) => Math.abs(v - ((r[i] as number[])[j] as number)))),
    );
    r = next;
    if (change < 1e-15) break;
  }
  return r;
}

function inverse3(m: number[][]): number[][] | undefined {
  const [a, b, c] = m[0] as [number, number, number];
  const [d, e, f] = m[1] as [number, number, number];
  const [g, h, i] = m[2] as [number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-12) return undefined;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

/** Copies a volume (i fastest, channel slowest) of `shape` into `out` along the transform `t`. */
export function applyTransform(
  src: VoxelArray,
  shape: readonly number[],
  t: AxisTransform,
  out: VoxelArray,
): void {
  const [ni, nj, nk] = shape as [number, number, number];
  const strides = [1, ni, ni * nj];
  const [n0, n1, n2] = transformShape(t, shape);
  const [s0, s1, s2] = [0, 1, 2].map(
    (o) => (t.flip[o] ? -1 : 1) * (strides[t.from[o] as number] as number),
  ) as [number, number, number];
  let base = 0;
  for (let o = 0; o < 3; o++) {
    const a = t.from[o] as number;
    if (t.flip[o]) base += ((shape[a] as number) - 1) * (strides[a] as number);
  }
  const channels = src.length / (ni * nj * nk);
  // i stays the fastest axis (the common case: RAS or LPS storage): whole rows go through the native typed-array
  // copy (and reverse), several times faster than an element loop.
  const rows = s0 === 1 || s0 === -1;
  let w = 0;
  for (let c = 0; c < channels; c++) {
    for (let z = 0; z < n2; z++) {
      for (let y = 0; y < n1; y++) {
        let at = base + c * ni * nj * nk + z * s2 + y * s1;
        if (rows) {
          out.set(src.subarray(s0 === 1 ? at : at - n0 + 1, (s0 === 1 ? at : at - n0 + 1) + n0), w);
          if (s0 === -1) out.subarray(w, w + n0).reverse();
          w += n0;
          continue;
        }
        for (let x = 0; x < n0; x++, at += s0) out[w++] = src[at] as number;
      }
    }
  }
}
