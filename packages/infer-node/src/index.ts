export {
  type Classifier,
  type ClassifierInput,
  ContractError,
  InputError,
  type ModelContract,
  type Prediction,
  type PreprocessedTensor,
  type RawVector,
  type Segmentation,
  type Segmenter,
  type SegmentOptions,
  type SegmentProgress,
  type Volume,
} from '@conv3d/core';
export {
  type LoadOptions,
  load,
  loadSegmenter,
  modelTask,
  type NodeClassifier,
  type NodeSegmenter,
} from './load.js';
export { isPoolClassifier, type PoolClassifier } from './pool/classifier.js';
export type { BatchInfo, NodeLoadOptions } from './pool/options.js';
export type { PoolStats } from './pool/pool.js';
export { isPooled, type PoolSegmenter } from './pool/segmenter.js';
export type { NodeDevice, NodeProvider } from './session.js';
