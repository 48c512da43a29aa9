export {
  type Classifier,
  type ClassifierInput,
  ContractError,
  InputError,
  labelsToNifti,
  type ModelContract,
  NiftiError,
  type NiftiImage,
  type NiftiInput,
  niftiInput,
  type Prediction,
  type PreprocessedTensor,
  type RawVector,
  readNifti,
  type ScanSegmentation,
  type Segmentation,
  type Segmenter,
  type SegmentOptions,
  type SegmentProgress,
  scanInput,
  segmentScan,
  type Volume,
  writeLabelNifti,
} from '@conv3d/core';
export type { ModelSource } from './model-source.js';
export { type WebDevice, type WebProvider, webgpuUnavailableReason } from './providers.js';
export { load, type WebClassifier } from './web-classifier.js';
export { loadSegmenter, type WebSegmenter } from './web-segmenter.js';
export type { WebLoadOptions } from './web-session.js';
export {
  loadWorkerSegmenter,
  type SegmentWorker,
  type WorkerSegmenter,
  type WorkerSegmentOptions,
} from './worker-segmenter.js';
