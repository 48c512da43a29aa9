// The voxel-to-world affine as nibabel computes it (Nifti1Header.get_best_affine): sform when sform_code != 0,
// else qform (quaternion, qfac, pixdim, offsets) when qform_code != 0, else the Analyze base affine from pixdim
// with x flipped. nibabel's header check turns a qfac other than ±1 into 1 and negative pixdims positive on load;
// so do we.
import { NiftiError } from './errors.js';
import type { NiftiHeader } from './header.js';

/** A 4×4 voxel (i, j, k, 1) → world (x, y, z, 1) matrix in RAS+ mm, row-major. */
export type Affine = number[][];

/** nibabel's quaternion_threshold for NIfTI headers: w² this far below 0 is rounding, not an error. */
const W2_THRESHOLD = -3 * 2 ** -23;

export function bestAffine(header: NiftiHeader, file: string): Affine {
  if (header.sformCode !== 0) return [...header.srow.map((row) => [...row]), [0, 0, 0, 1]];
  if (header.qformCode !== 0) return qformAffine(header, file);
  return baseAffine(header);
}

function zooms(header: NiftiHeader): [number, number, number] {
  return [1, 2, 3].map((d) => (d <= header.dims.length ? Math.abs(header.pixdim[d] as number) : 1)) as [
    number,
    number,
    number,
  ];
}

function qformAffine(header: NiftiHeader, file: string): Affine {
  const [b, c, d] = header.quatern;
  const w2 = 1 - (b * b + c * c + d * d);
  if (w2 < W2_THRESHOLD) throw new NiftiError(file, 'quatern_b/c/d', `is not a unit quaternion (w² = ${w2})`);
  const a = w2 < 0 ? 0 : Math.sqrt(w2);
  const r = quaternionMatrix(a, b, c, d);
  const vox = zooms(header);
  const qfac = header.pixdim[0] === -1 ? -1 : 1;
  vox[2] *= qfac;
  return [
    ...r.map((row, i) => [...row.map((v, j) => v * (vox[j] as number)), header.qoffset[i] as number]),
    [0, 0, 0, 1],
  ];
}

// nibabel's quaternions.quat2mat.
function quaternionMatrix(w: number, x: number, y: number, z: number): number[][] {
  const n = w * w + x * x + y * y + z * z;
  if (n < Number.EPSILON)
    return [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
  const s = 2 / n;
  const [X, Y, Z] = [x * s, y * s, z * s];
  const [wX, wY, wZ, xX, xY, xZ, yY, yZ, zZ] = [
    w * X,
    w * Y,
    w * Z,
    x * X,
    x * Y,
    x * Z,
    y * Y,
    y * Z,
    z * Z,
  ];
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

function baseAffine(header: NiftiHeader): Affine {
  const z = zooms(header);
  z[0] = -z[0];
  const shape = [0, 1, 2].map((a) => header.dims[a] ?? 1);
  const m: Affine = [0, 1, 2].map((i) => [0, 0, 0, -(((shape[i] as number) - 1) / 2) * (z[i] as number)]);
  for (let i = 0; i < 3; i++) (m[i] as number[])[i] = z[i] as number;
  m.push([0, 0, 0, 1]);
  return m;
}

/** Voxel spacing in mm along i, j, k: the lengths of the affine's first three columns. */
export function affineSpacing(affine: Affine): [number, number, number] {
  return [0, 1, 2].map((j) => Math.hypot(...[0, 1, 2].map((i) => (affine[i] as number[])[j] as number))) as [
    number,
    number,
    number,
  ];
}

export function multiply(a: Affine, b: Affine): Affine {
  return a.map(
    (row) => b[0]?.map((_, j) => row.reduce((s, v, k) => s + v * ((b[k] as number[])[j] as number), 0)) ?? [],
  );
}
