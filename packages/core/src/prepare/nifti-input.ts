// A NIfTI scan as a model's input: prepared as the contract says (its preparation, or RAS+ with no intensity
// step for models that record none), and resampled to the contract's grid when its size differs.
import type { ModelContract } from '../contract.js';
import { NiftiError } from '../nifti/errors.js';
import { type NiftiImage, type ReadOptions, readNifti } from '../nifti/read.js';
import { DEFAULT_PREPARATION, type VolumePreparation } from '../task.js';
import { prepareScan } from './prepare-scan.js';

export interface NiftiInput {
  /** One raw row (D, H, W, C), `contract.rawLength` values: pass it to `predict`. */
  row: Float32Array;
  /** The scan as read (for a label map written back onto it). */
  image: NiftiImage;
}

/** How a scan is prepared for the model of `contract`: its preparation, or RAS+ with no intensity step. */
export function scanPreparation(contract: ModelContract): VolumePreparation {
  return contract.preparation ?? DEFAULT_PREPARATION;
}

/** Throws a one-line NiftiError unless the scan has as many channels as the model takes. */
export function checkScanChannels(image: NiftiImage, contract: ModelContract): void {
  if (image.channels !== contract.rawChannels) {
    throw new NiftiError(
      image.file,
      'dim[4]',
      `gives ${image.channels} channel${image.channels === 1 ? '' : 's'}, the model takes ${contract.rawChannels} ('conv3d.raw_channels')`,
    );
  }
}

/** A read scan as one raw row for the classifier of `contract` (resampled to its grid). */
export function scanInput(image: NiftiImage, contract: ModelContract): Float32Array {
  checkScanChannels(image, contract);
  const [d, h, w] = contract.grid;
  return prepareScan(image, scanPreparation(contract), { grid: [w, h, d] }).row;
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
