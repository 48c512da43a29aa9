// @conv3d/core: the model contract, the preprocessing registry, the classifier and segmenter core (sliding windows
// included) and the ONNX metadata reader, shared by training, the exporter and every runtime. No dependencies and
// no Node APIs: browsers bundle it as is.
export { BufferPool } from './buffer-pool.js';
export { type CheckedModel, checkModel, type ValueInfo } from './check-model.js';
export {
  CLASSIFIER_CONTRACT_VERSION,
  CONTRACT_VERSION,
  ContractError,
  type ContractSpec,
  contractDifference,
  contractFromMetadata,
  contractToMetadata,
  defineContract,
  type EnsembleMember,
  INPUT_KINDS,
  INPUT_LAYOUT,
  type InputKind,
  LEGACY_PREPROCESSING,
  METADATA_KEYS,
  type ModelContract,
  SEED_CONTRACT,
  VOXEL_ORDER,
  withTestAccuracy,
  writtenVersion,
} from './contract.js';
export { decodePredictions, type Prediction } from './decode.js';
export {
  type Allocate,
  type ClassifierInput,
  InputError,
  type ModelInput,
  type PreprocessedTensor,
  prepareInput,
  preprocessBatch,
  type RawVector,
  toModelInput,
  type ValidatedInput,
  validateInput,
} from './input.js';
export {
  type Classifier,
  DISPOSED_MESSAGE,
  disposedMessage,
  firstLine,
  ModelSession,
  type OpenClassifierOptions,
  type OpenedModel,
  type OpenModelOptions,
  type OpenSession,
  openClassifier,
  openModel,
  type SessionHandler,
} from './lifecycle.js';
export * from './nifti/index.js';
export { readOnnxMetadata } from './onnx-metadata.js';
export * from './prepare/index.js';
export * from './preprocessing/index.js';
export { deriveSeed, mulberry32, permutation, Rng } from './random.js';
export {
  type CheckedVolume,
  checkVolume,
  openSegmenter,
  preprocessVolume,
  type Segmentation,
  type Segmenter,
  type SegmentOptions,
  segmentVolume,
  type Volume,
} from './segment/segmenter.js';
export {
  DEFAULT_BATCH,
  DEFAULT_OVERLAP,
  type RunWindows,
  type SegmentProgress,
  type SlidingWindowOptions,
  type SlidingWindowResult,
  slidingWindow,
} from './segment/sliding-window.js';
export {
  BLENDS,
  type Blend,
  importanceMap,
  planWindows,
  SIGMA_SCALE,
  type Size3,
  type WindowPlan,
} from './segment/windows.js';
export {
  DEFAULT_PREPARATION,
  INTENSITY_KINDS,
  type IntensitySpec,
  isOrientation,
  type Orientation,
  preparationProblem,
  type SegmentationSpec,
  TASKS,
  type Task,
  VOXEL_OUTPUTS,
  type VolumePreparation,
  type VoxelOutput,
} from './task.js';
