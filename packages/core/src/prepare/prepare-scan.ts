// A contract's VolumePreparation applied to a NIfTI scan (orientation, then spacing or grid, then intensity),
// giving the model's volume row; and the inverse for a label volume computed on that row, back onto the scan.
import { type Affine, affineSpacing } from '../nifti/affine.js';
import { NiftiError } from '../nifti/errors.js';
import { applyTransform, inverseTransform, transformShape, transformTo } from '../nifti/orientation.js';
import { type NiftiImage, orientImage } from '../nifti/read.js';
import { writeLabelNifti } from '../nifti/write.js';
import { DEFAULT_PREPARATION, type VolumePreparation } from '../task.js';
import { applyIntensity } from './intensity.js';
import { gridForSpacing, resample, type Scale, scaleForGrid } from './resample.js';

export interface PrepareOptions {
  /** Resample to exactly this i, j, k shape (first and last voxel centres kept), instead of `preparation.spacing`. */
  grid?: readonly [number, number, number];
}

/** A scan as the model sees it. */
export interface PreparedScan {
  /** The volume row: (D, H, W, C), x (i) fastest, channels last. */
  row: Float32Array;
  /** [D, H, W, C]. */
  shape: [number, number, number, number];
  /** The prepared grid's voxel → world affine and spacing (i, j, k). */
  affine: Affine;
  spacing: [number, number, number];
}

/** Orientation, then resampling (trilinear), then intensity: the model's input row for `image`. */
export function prepareScan(
  image: NiftiImage,
  preparation: VolumePreparation = DEFAULT_PREPARATION,
  options: PrepareOptions = {},
): PreparedScan {
  const oriented = orientImage(image, preparation.orientation);
  const grid = targetGrid(oriented.shape, oriented.spacing, preparation, options);
  let { data } = oriented;
  if (grid !== undefined) {
    const out = new Float32Array(grid.shape[0] * grid.shape[1] * grid.shape[2] * oriented.channels);
    data = resample(data, oriented.shape, grid.shape, grid.scale, 'linear', out);
  }
  applyIntensity(data, preparation.intensity);
  const [w, h, d] = grid?.shape ?? oriented.shape;
  const affine = grid === undefined ? oriented.affine : scaleAffine(oriented.affine, grid.scale);
  return {
    row: channelsLast(data, w * h * d, oriented.channels),
    shape: [d, h, w, oriented.channels],
    affine,
    spacing: affineSpacing(affine),
  };
}

/** A label scan (integers) prepared like `prepareScan`'s image but resampled nearest and with no intensity step. */
export function prepareLabels(
  image: NiftiImage,
  preparation: VolumePreparation = DEFAULT_PREPARATION,
  options: PrepareOptions = {},
): { labels: Uint16Array; shape: [number, number, number] } {
  const oriented = orientImage(image, preparation.orientation);
  if (oriented.channels !== 1) {
    throw new NiftiError(image.file, 'dim[4]', `is ${oriented.channels}: a label volume has one channel`);
  }
  const bad = oriented.data.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v <= 65535));
  if (bad >= 0) {
    throw new NiftiError(
      image.file,
      'data',
      `holds ${oriented.data[bad]} at voxel ${bad}: labels are integers in [0, 65535]`,
    );
  }
  const grid = targetGrid(oriented.shape, oriented.spacing, preparation, options);
  const shape = grid?.shape ?? oriented.shape;
  const labels = new Uint16Array(shape[0] * shape[1] * shape[2]);
  if (grid === undefined) labels.set(oriented.data);
  else resample(oriented.data, oriented.shape, shape, grid.scale, 'nearest', labels);
  return { labels, shape: [shape[2], shape[1], shape[0]] };
}

/**
 * Labels computed on `prepareScan(image, preparation, options)`'s row ((D, H, W), x fastest) put back on the scan's
 * own grid and axis order (nearest neighbour), ready for writeLabelNifti.
 */
export function labelsToScan(
  labels: ArrayLike<number>,
  image: NiftiImage,
  preparation: VolumePreparation = DEFAULT_PREPARATION,
  options: PrepareOptions = {},
): Uint16Array {
  const t = transformTo(image.orientation, preparation.orientation);
  const orientedShape = transformShape(t, image.shape);
  const storedSpacing = affineSpacing(image.affine);
  const spacing = t.from.map((a) => storedSpacing[a] as number);
  const grid = targetGrid(orientedShape, spacing, preparation, options);
  const preparedShape = grid?.shape ?? orientedShape;
  const expected = preparedShape[0] * preparedShape[1] * preparedShape[2];
  if (labels.length !== expected) {
    throw new NiftiError(
      image.file,
      'labels',
      `have ${labels.length} voxels, the prepared grid ${[...preparedShape].reverse().join('×')} (D×H×W) has ${expected}`,
    );
  }
  const count = image.shape[0] * image.shape[1] * image.shape[2];
  let onOriented = asLabelArray(labels, image.file);
  if (grid !== undefined) {
    const back = grid.scale.map((s) => (s > 0 ? 1 / s : 0)) as unknown as Scale;
    onOriented = resample(labels, preparedShape, orientedShape, back, 'nearest', new Uint16Array(count));
  }
  const out = new Uint16Array(count);
  applyTransform(onOriented, orientedShape, inverseTransform(t), out);
  return out;
}

/** `labelsToScan` then `writeLabelNifti`: a .nii.gz label map on the scan's grid, with the scan's affine and codes. */
export async function labelsToNifti(
  labels: ArrayLike<number>,
  image: NiftiImage,
  preparation: VolumePreparation = DEFAULT_PREPARATION,
  options: PrepareOptions = {},
): Promise<Uint8Array> {
  return writeLabelNifti(labelsToScan(labels, image, preparation, options), image);
}

function asLabelArray(labels: ArrayLike<number>, file: string): Uint8Array | Uint16Array {
  if (labels instanceof Uint8Array || labels instanceof Uint16Array) return labels;
  const out = new Uint16Array(labels.length);
  for (let v = 0; v < labels.length; v++) {
    const label = labels[v] as number;
    if (!(Number.isInteger(label) && label >= 0 && label <= 65535)) {
      throw new NiftiError(
        file,
        'labels',
        `hold ${label} at voxel ${v}: labels must be integers in [0, 65535]`,
      );
    }
    out[v] = label;
  }
  return out;
}

function targetGrid(
  shape: readonly [number, number, number],
  spacing: readonly number[],
  preparation: VolumePreparation,
  options: PrepareOptions,
): { shape: [number, number, number]; scale: Scale } | undefined {
  if (options.grid !== undefined)
    return { shape: [...options.grid], scale: scaleForGrid(shape, options.grid) };
  if (preparation.spacing !== undefined) return gridForSpacing(shape, spacing, preparation.spacing);
  return undefined;
}

function scaleAffine(affine: Affine, scale: Scale): Affine {
  return affine.map((row) => row.map((v, j) => (j < 3 ? v * (scale[j] as number) : v)));
}

function channelsLast(data: Float32Array, voxels: number, channels: number): Float32Array {
  if (channels === 1) return data;
  const row = new Float32Array(data.length);
  for (let c = 0; c < channels; c++) {
    for (let v = 0; v < voxels; v++) row[v * channels + c] = data[c * voxels + v] as number;
  }
  return row;
}
