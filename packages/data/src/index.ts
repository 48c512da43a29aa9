export {
  type BuildOptions,
  type BuildResult,
  buildDataset,
  type Compression,
  DEFAULT_SEED,
  MAX_COPIES,
  type VoxelType,
} from './builder.js';
export { type DatasetDescriptor, labelLengthOf, rowLengthOf } from './descriptor.js';
export { DataError } from './errors.js';
export { checkOriginalRows, MnistCopies, type StoredTrainRows } from './fresh-copies.js';
export { type GridSpec, parseGridText } from './grid.js';
export { oneHot, validationSplitIndex } from './keras.js';
export {
  DEFAULT_COPIES,
  datasetNames,
  GRID,
  LABELS,
  MNIST_DIGITS,
  NUM_CLASSES,
  ORIGINALS,
  ROW_LENGTH,
  rowsOf,
  type Split,
} from './layout.js';
export { type PackOptions, type PackResult, packDataset } from './pack/pack.js';
export { defaultDatasetPath } from './paths.js';
export { DATASET_FLAG_OPTIONS, DATASET_FLAGS_USAGE, datasetOptionsFromFlags } from './read-flags.js';
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
export { CONTIGUOUS_GAP, planSpans, type RowSpan } from './row-spans.js';
export {
  buildShapesSeg,
  SHAPES_SEG_GRID,
  SHAPES_SEG_LABELS,
  SHAPES_SEG_ROWS,
  type ShapesSegOptions,
  type ShapesSegSplit,
  shapesSegSplit,
} from './shapes-seg.js';
