// NIfTI-1 (348-byte) and NIfTI-2 (540-byte) headers, either byte order: the fields reading, orienting and writing
// need. Offsets are those of nifti1.h and nifti2.h.
import { NiftiError } from './errors.js';

export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[1..dim[0]]: i, j, k, then t (read as channels). */
  dims: number[];
  datatype: number;
  bitpix: number;
  /** pixdim[0..7]; pixdim[0] is qfac. */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  /** quatern_b, quatern_c, quatern_d. */
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** srow_x, srow_y, srow_z. */
  srow: [number[], number[], number[]];
  /** The header's own bytes (sizeof_hdr of them), kept so a label map can copy the scan's geometry verbatim. */
  bytes: Uint8Array;
}

export const NIFTI1_SIZE = 348;
export const NIFTI2_SIZE = 540;

/** Parses the header at the start of `bytes` (already gunzipped). */
export function parseHeader(bytes: Uint8Array, file: string): NiftiHeader {
  if (bytes.length < 4)
    throw new NiftiError(file, 'sizeof_hdr', `is missing: the file has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let version: 1 | 2 | undefined;
  let littleEndian = true;
  for (const le of [true, false]) {
    const size = view.getInt32(0, le);
    if (size === NIFTI1_SIZE || size === NIFTI2_SIZE) {
      version = size === NIFTI1_SIZE ? 1 : 2;
      littleEndian = le;
      break;
    }
  }
  if (version === undefined) {
    throw new NiftiError(
      file,
      'sizeof_hdr',
      `is ${view.getInt32(0, true)}, not 348 (NIfTI-1) or 540 (NIfTI-2): not a NIfTI file`,
    );
  }
  const size = version === 1 ? NIFTI1_SIZE : NIFTI2_SIZE;
  if (bytes.length < size)
    throw new NiftiError(file, 'header', `is truncated: ${bytes.length} of ${size} bytes`);
  checkMagic(bytes, version, file);
  return version === 1 ? parse1(view, littleEndian, bytes, file) : parse2(view, littleEndian, bytes, file);
}

function checkMagic(bytes: Uint8Array, version: 1 | 2, file: string): void {
  const at = version === 1 ? 344 : 4;
  const magic = String.fromCharCode(...bytes.subarray(at, at + 3));
  if (magic !== `n+${version}`) {
    const hint = magic === `ni${version}` ? ' (a header-only .hdr/.img pair is not supported)' : '';
    throw new NiftiError(file, 'magic', `is ${JSON.stringify(magic)}, expected "n+${version}"${hint}`);
  }
}

function parse1(view: DataView, le: boolean, bytes: Uint8Array, file: string): NiftiHeader {
  const i16 = (at: number) => view.getInt16(at, le);
  const f32 = (at: number) => view.getFloat32(at, le);
  const f32s = (at: number, n: number) => Array.from({ length: n }, (_, k) => f32(at + 4 * k));
  return {
    version: 1,
    littleEndian: le,
    dims: dimsOf(
      Array.from({ length: 8 }, (_, k) => i16(40 + 2 * k)),
      file,
    ),
    datatype: i16(70),
    bitpix: i16(72),
    pixdim: f32s(76, 8),
    voxOffset: Math.floor(f32(108)),
    sclSlope: f32(112),
    sclInter: f32(116),
    qformCode: i16(252),
    sformCode: i16(254),
    quatern: f32s(256, 3) as [number, number, number],
    qoffset: f32s(268, 3) as [number, number, number],
    srow: [f32s(280, 4), f32s(296, 4), f32s(312, 4)],
    bytes: new Uint8Array(bytes.subarray(0, NIFTI1_SIZE)),
  };
}

function parse2(view: DataView, le: boolean, bytes: Uint8Array, file: string): NiftiHeader {
  const i64 = (at: number) => Number(view.getBigInt64(at, le));
  const f64 = (at: number) => view.getFloat64(at, le);
  const f64s = (at: number, n: number) => Array.from({ length: n }, (_, k) => f64(at + 8 * k));
  return {
    version: 2,
    littleEndian: le,
    dims: dimsOf(
      Array.from({ length: 8 }, (_, k) => i64(16 + 8 * k)),
      file,
    ),
    datatype: view.getInt16(12, le),
    bitpix: view.getInt16(14, le),
    pixdim: f64s(104, 8),
    voxOffset: i64(168),
    sclSlope: f64(176),
    sclInter: f64(184),
    qformCode: view.getInt32(344, le),
    sformCode: view.getInt32(348, le),
    quatern: f64s(352, 3) as [number, number, number],
    qoffset: f64s(376, 3) as [number, number, number],
    srow: [f64s(400, 4), f64s(432, 4), f64s(464, 4)],
    bytes: new Uint8Array(bytes.subarray(0, NIFTI2_SIZE)),
  };
}

function dimsOf(dim: number[], file: string): number[] {
  const rank = dim[0] as number;
  if (!(rank >= 1 && rank <= 7)) throw new NiftiError(file, 'dim[0]', `is ${rank}, expected 1 to 7`);
  const dims = dim.slice(1, rank + 1);
  const bad = dims.findIndex((d) => !(d >= 1));
  if (bad >= 0) throw new NiftiError(file, `dim[${bad + 1}]`, `is ${dims[bad]}, expected a positive size`);
  if (rank > 4 && dims.slice(4).some((d) => d !== 1)) {
    throw new NiftiError(
      file,
      'dim',
      `is [${dims.join(', ')}]: only 3D volumes and 4D (channels) are supported`,
    );
  }
  return dims;
}
