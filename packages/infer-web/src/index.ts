export {
  type Classifier,
  type ClassifierInput,
  InputError,
  type Prediction,
  type PreprocessedTensor,
  type RawVector,
  type WebDevice,
} from '@conv3d/data/classifier';
export { ContractError, type ModelContract } from '@conv3d/data/contract';
export type { ModelSource } from './model-source.js';
export { type WebProvider, webgpuUnavailableReason } from './providers.js';
export { load, type WebClassifier, type WebLoadOptions } from './web-classifier.js';
