export {
  BACKEND_PREFERENCES,
  BACKENDS,
  type BackendChoice,
  BackendError,
  type BackendLoader,
  type BackendName,
  type BackendPreference,
  selectBackend,
} from './backend.js';
export type { TrainingData } from './batches.js';
export { CheckpointError } from './checkpoint.js';
export {
  ConfigError,
  LAYER_CLASSES,
  type LayerSpec,
  LOSSES,
  type LossName,
  loadTrainConfig,
  parseTrainConfig,
  type TrainConfig,
} from './config.js';
export { defaultPreprocessing, fitConfigToContract, isMnistLike, runContract } from './data-contract.js';
export type { Evaluation } from './evaluate.js';
export type { History } from './history.js';
export {
  BatchNormalization,
  GlobalAveragePooling3D,
  type GlobalAveragePooling3DArgs,
} from './layers/index.js';
export { buildModel, checkModelShapes, compileModel } from './model.js';
export {
  fileHandler,
  loadModelFile,
  loadModelFromDir,
  MODEL_JSON,
  ModelFileError,
  modelFileHandler,
  saveModelToDir,
  WEIGHTS_BIN,
} from './model-io.js';
export type { SegmentationEvaluation } from './tasks/segmentation.js';
export type { SegmentationConfig } from './tasks/segmentation-config.js';
export type { BaseEvaluation } from './tasks/task.js';
export {
  BEST_CONFIG_PATH,
  CHECKPOINT_FILE,
  type RunInfo,
  SEED_CONFIG_PATH,
  SEED_DROPOUT_CONFIG_PATH,
  type TrainOptions,
  type TrainResult,
  train,
} from './train.js';
