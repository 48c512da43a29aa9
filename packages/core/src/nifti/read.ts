// Reading a .nii or .nii.gz (gzip found by its magic bytes) into its header, affine and voxels, and building the
// float32 array in a chosen axis orientation in one pass (byte order, scaling and reorientation together).
import { type Affine, affineSpacing, bestAffine } from './affine.js';
import { type VoxelArray, voxelType } from './datatype.js';
import { NiftiError } from './errors.js';
import { gunzip, isGzip } from './gzip.js';
import { type NiftiHeader, parseHeader } from './header.js';
import {
  type AxisOrientation,
  type AxisTransform,
  applyTransform,
  axisCodes,
  ioOrientation,
  isOblique,
  transformAffine,
  transformShape,
  transformTo,
} from './orientation.js';

/** A NIfTI file as stored: header, affine, and the voxels in the file's own type and axis order (i fastest). */
export interface NiftiImage {
  /** The name errors and warnings use. */
  file: string;
  header: NiftiHeader;
  /** i, j, k sizes. */
  shape: [number, number, number];
  /** The 4th dimension (1 for a 3D volume). */
  channels: number;
  /** voxel → world (RAS+ mm), as nibabel's `img.affine`. */
  affine: Affine;
  /** The closest axis alignment of `affine` (nibabel's io_orientation). */
  orientation: AxisOrientation;
  /** The voxels in host byte order, unscaled, i fastest, channel slowest. */
  voxels: VoxelArray;
  /** scl_slope and scl_inter as nibabel applies them: slope 0 or not finite means no scaling. */
  slope: number;
  inter: number;
}

/** A float32 volume: i fastest, then j, k, and channel slowest (NIfTI's order). */
export interface Volume {
  shape: [number, number, number];
  channels: number;
  data: Float32Array;
  affine: Affine;
  /** mm along i, j, k. */
  spacing: [number, number, number];
  /** The axis codes of this array ('RAS' after canonicalisation). */
  codes: string;
}

export interface ReadOptions {
  /** Receives one-line warnings (an oblique affine); default console.warn. */
  warn?: (line: string) => void;
  /** Gunzips a .nii.gz; default the web-standard DecompressionStream (Node's zlib is faster: readNiftiFile). */
  gunzip?: (bytes: Uint8Array) => Promise<Uint8Array>;
}

/** Parses NIfTI-1 or NIfTI-2 bytes, gzipped or not. Throws a one-line NiftiError naming `file` and the field. */
export async function readNifti(
  input: Uint8Array | ArrayBuffer,
  file: string,
  options: ReadOptions = {},
): Promise<NiftiImage> {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (isGzip(bytes)) {
    try {
      bytes = await (options.gunzip ?? gunzip)(bytes);
    } catch (err) {
      throw new NiftiError(file, 'gzip stream', `is truncated or corrupt (${(err as Error).message})`);
    }
  }
  const header = parseHeader(bytes, file);
  const type = voxelType(header.datatype, file);
  const [ni = 1, nj = 1, nk = 1, nt = 1] = header.dims;
  const count = ni * nj * nk * nt;
  const needed = count * type.bytes;
  const available = bytes.length - header.voxOffset;
  if (header.voxOffset < header.bytes.length) {
    throw new NiftiError(
      file,
      'vox_offset',
      `is ${header.voxOffset}, inside the ${header.bytes.length}-byte header`,
    );
  }
  if (available < needed) {
    throw new NiftiError(
      file,
      'dim',
      `is [${header.dims.join(', ')}] (${type.name}): needs ${needed} data bytes from vox_offset ${header.voxOffset}, the file has ${Math.max(0, available)}`,
    );
  }
  const affine = bestAffine(header, file);
  if (isOblique(affine)) {
    (options.warn ?? console.warn)(
      `${file}: the affine is oblique; taking the closest axis alignment (${axisCodes(ioOrientation(affine))})`,
    );
  }
  const slope = header.sclSlope;
  const scaled = slope !== 0 && Number.isFinite(slope);
  if (scaled && !Number.isFinite(header.sclInter)) {
    throw new NiftiError(file, 'scl_inter', `is ${header.sclInter} while scl_slope is ${slope}`);
  }
  return {
    file,
    header,
    shape: [ni, nj, nk],
    channels: nt,
    affine,
    orientation: ioOrientation(affine),
    voxels: voxelView(bytes, header, type, count),
    slope: scaled ? slope : 1,
    inter: scaled ? header.sclInter : 0,
  };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function voxelView(
  bytes: Uint8Array,
  header: NiftiHeader,
  type: ReturnType<typeof voxelType>,
  count: number,
): VoxelArray {
  const start = bytes.byteOffset + header.voxOffset;
  const swap = type.bytes > 1 && header.littleEndian !== HOST_LITTLE_ENDIAN;
  if (!swap && start % type.bytes === 0) return type.view(bytes.buffer as ArrayBuffer, start, count);
  // a copy (Node's Buffer#slice would be a view, and the swap below would then write into the caller's bytes)
  const copy = new Uint8Array(bytes.subarray(header.voxOffset, header.voxOffset + count * type.bytes));
  if (swap) {
    for (let at = 0; at < copy.length; at += type.bytes) copy.subarray(at, at + type.bytes).reverse();
  }
  return type.view(copy.buffer, 0, count);
}

/**
 * The image as float32 in `orientation` ('RAS' = nibabel's as_closest_canonical, any other 3 axis codes, or
 * 'stored'), scaled as nibabel's get_fdata (computed in float64, rounded to float32). A NaN voxel is an error.
 */
export function orientImage(image: NiftiImage, orientation = 'RAS'): Volume {
  const t = transformTo(image.orientation, orientation);
  const shape = transformShape(t, image.shape);
  const affine = transformAffine(t, image.affine, image.shape);
  const data = new Float32Array(shape[0] * shape[1] * shape[2] * image.channels);
  copyOriented(image, t, data);
  return {
    shape,
    channels: image.channels,
    data,
    affine,
    spacing: affineSpacing(affine),
    codes: orientation === 'stored' ? axisCodes(image.orientation) : orientation,
  };
}

/** Reads and canonicalises (RAS+) in one call. */
export async function readCanonical(
  input: Uint8Array | ArrayBuffer,
  file: string,
  options: ReadOptions = {},
): Promise<Volume> {
  return orientImage(await readNifti(input, file, options), 'RAS');
}

// Scaling happens after the copy, in float64 as nibabel does; types float32 cannot hold exactly (int32, uint32,
// float64) go through a float64 copy first so the scaled value is rounded once.
function copyOriented(image: NiftiImage, t: AxisTransform, out: Float32Array): void {
  const { slope, inter, voxels } = image;
  const scaled = slope !== 1 || inter !== 0;
  const wide =
    voxels instanceof Int32Array || voxels instanceof Uint32Array || voxels instanceof Float64Array;
  const target = scaled && wide ? new Float64Array(out.length) : out;
  applyTransform(voxels, image.shape, t, target);
  if (scaled) {
    for (let v = 0; v < out.length; v++) out[v] = (target[v] as number) * slope + inter;
  }
  if (voxels instanceof Float32Array || voxels instanceof Float64Array) {
    const bad = out.findIndex((v) => Number.isNaN(v));
    if (bad >= 0) throw new NiftiError(image.file, 'data', `has NaN (voxel ${bad} of the reoriented array)`);
  }
}
