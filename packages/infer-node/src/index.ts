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
export { readNiftiFile } from '@conv3d/core/node';
export { type LoadOptions, load, type NodeClassifier } from './load.js';
export { isPoolClassifier, type PoolClassifier } from './pool/classifier.js';
export type { BatchInfo, NodeLoadOptions } from './pool/options.js';
export type { PoolStats } from './pool/pool.js';
export type { NodeDevice, NodeProvider } from './session.js';
