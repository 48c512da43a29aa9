// A NIfTI scan as a classifier's input: prepared as the contract says (its preparation, or RAS+ with no intensity
// step for models that record none), and resampled to the contract's grid when its size differs.
import type { ModelContract } from '../contract.js';
import { NiftiError } from '../nifti/errors.js';
import { type NiftiImage, type ReadOptions, readNifti } from '../nifti/read.js';
import { DEFAULT_PREPARATION } from '../task.js';
import { prepareScan } from './prepare-scan.js';

export interface NiftiInput {
  /** One raw row (D, H, W, C), `contract.rawLength` values: pass it to `predict`. */
  row: Float32Array;
  /** The scan as read (for a label map written back onto it). */
  image: NiftiImage;
}

/** A read scan as one raw row for the model of `contract`. */
export function scanInput(image: NiftiImage, contract: ModelContract): Float32Array {
  if (image.channels !== contract.rawChannels) {
    throw new NiftiError(
      image.file,
      'dim[4]',
      `gives ${image.channels} channel${image.channels === 1 ? '' : 's'}, the model takes ${contract.rawChannels} ('conv3d.raw_channels')`,
    );
  }
  const [d, h, w] = contract.grid;
  return prepareScan(image, contract.preparation ?? DEFAULT_PREPARATION, { grid: [w, h, d] }).row;
}

/** Reads `bytes` (.nii or .nii.gz) named `file` and prepares them for the model of `contract`. */
export async function niftiInput(
  bytes: Uint8Array | ArrayBuffer,
  file: string,
  contract: ModelContract,
  options: ReadOptions = {},
): Promise<NiftiInput> {
  const image = await readNifti(bytes, file, options);
  return { row: scanInput(image, contract), image };
}
