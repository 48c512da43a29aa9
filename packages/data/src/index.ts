export {
  type BuildOptions,
  type BuildResult,
  buildDataset,
  type Compression,
  DEFAULT_SEED,
} from './builder.js';
export * from './contract.js';
export { DataError } from './errors.js';
export { checkOriginalRows, MnistCopies, Rng, type StoredTrainRows } from './fresh-copies.js';
export { datasetNames, ORIGINALS, rowsOf, type Split } from './layout.js';
export { defaultDatasetPath } from './paths.js';
export * from './preprocess.js';
export { type BatchRange, type Dataset3D, openDataset, type SplitData, type SplitInfo } from './reader.js';
