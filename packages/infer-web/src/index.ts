export {
  type Classifier,
  type ClassifierInput,
  ContractError,
  InputError,
  labelsToNifti,
  type ModelContract,
  NiftiError,
  type NiftiImage,
  type NiftiInput,
  niftiInput,
  type Prediction,
  type PreprocessedTensor,
  type RawVector,
  scanInput,
} from '@conv3d/core';
export type { ModelSource } from './model-source.js';
export { type WebDevice, type WebProvider, webgpuUnavailableReason } from './providers.js';
export { load, type WebClassifier, type WebLoadOptions } from './web-classifier.js';
