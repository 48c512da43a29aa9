// @conv3d/core: the model contract, the preprocessing registry, the classifier core and the ONNX metadata reader,
// shared by training, the exporter and every runtime. No dependencies and no Node APIs: browsers bundle it as is.
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
  firstLine,
  type OpenClassifierOptions,
  type OpenSession,
  openClassifier,
  type SessionHandler,
} from './lifecycle.js';
export * from './nifti/index.js';
export { readOnnxMetadata } from './onnx-metadata.js';
export * from './prepare/index.js';
export * from './preprocessing/index.js';
export { deriveSeed, mulberry32, permutation, Rng } from './random.js';
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
