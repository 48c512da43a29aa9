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
export type { NodeProvider } from './session.js';
