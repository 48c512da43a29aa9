export {
  type BuildOptions,
  type BuildResult,
  buildDataset,
  type Compression,
  DEFAULT_SEED,
} from './builder.js';
export * from './contract.js';
export { type DatasetDescriptor, rowLengthOf, VOXEL_ORDER } from './descriptor.js';
export { DataError } from './errors.js';
export { type GridSpec, parseGridText } from './grid.js';
export { datasetNames, ORIGINALS, rowsOf, type Split } from './layout.js';
export { defaultDatasetPath } from './paths.js';
export * from './preprocess.js';
export {
  DATASET_FLAG_OPTIONS,
  DATASET_FLAGS_USAGE,
  DatasetFlagError,
  datasetOptionsFromFlags,
} from './read-flags.js';
export {
  type BatchRange,
  type Dataset3D,
  type DatasetNames,
  DEFAULT_DATASET_NAMES,
  type OpenOptions,
  openDataset,
  type SplitData,
  type SplitInfo,
  type VoxelDtype,
} from './reader.js';
