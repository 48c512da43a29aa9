export {
  type BuildOptions,
  type BuildResult,
  buildDataset,
  type Compression,
  DEFAULT_SEED,
} from './builder.js';
export { DataError } from './errors.js';
export { oneHot, validationSplitIndex } from './keras.js';
export { datasetNames, GRID, NUM_CLASSES, ORIGINALS, ROW_LENGTH, rowsOf, type Split } from './layout.js';
export { defaultDatasetPath } from './paths.js';
export { type BatchRange, type Dataset3D, openDataset, type SplitData, type SplitInfo } from './reader.js';
