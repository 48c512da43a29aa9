// Preparing scans for a model (MONAI-style steps) and putting its label volumes back on the scan.
export { applyIntensity } from './intensity.js';
export { type NiftiInput, niftiInput, scanInput } from './nifti-input.js';
export {
  labelsToNifti,
  labelsToScan,
  type PreparedScan,
  type PrepareOptions,
  prepareLabels,
  prepareScan,
} from './prepare-scan.js';
export { gridForSpacing, type Interpolation, resample, type Scale, scaleForGrid } from './resample.js';
