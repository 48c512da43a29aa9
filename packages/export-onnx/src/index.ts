export { CONVERTERS, type Converter, REGISTRY } from './converters/index.js';
export { supportedLayersMarkdown } from './docs.js';
export {
  convertEnsemble,
  ENSEMBLE_INPUT,
  ENSEMBLE_OUTPUT,
  type EnsembleFileResult,
  type EnsembleMemberModel,
  type EnsembleOptions,
  exportEnsembleFile,
  sharedContract,
} from './ensemble.js';
export { ExportError } from './errors.js';
export {
  type ExportFileResult,
  exportModelFile,
  loadLayersModelFromDisk,
  readTestAccuracy,
  resolveModelInput,
} from './export-file.js';
export {
  BATCH_DIM,
  convertModel,
  type ExportOptions,
  type ExportResult,
  type ExportSummary,
  exportModel,
  IR_VERSION,
  OPSET_VERSION,
} from './export-model.js';
export { decodeModel } from './proto/index.js';
