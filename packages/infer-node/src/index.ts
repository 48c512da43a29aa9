export {
  type Classifier,
  type ClassifierInput,
  InputError,
  type LoadOptions,
  type NodeDevice,
  type Prediction,
  type PreprocessedTensor,
  type RawVector,
} from '@conv3d/data/classifier';
export { ContractError, type ModelContract } from '@conv3d/data/contract';
export { load, type NodeClassifier } from './load.js';
export { isPoolClassifier, type PoolClassifier } from './pool/classifier.js';
export type { BatchInfo, NodeLoadOptions } from './pool/options.js';
export type { PoolStats } from './pool/pool.js';
export type { NodeProvider } from './session.js';
