export { applyActivation, SUPPORTED_ACTIVATIONS } from './activations.js';
export {
  CONVERTERS,
  type ConvertArgs,
  type Converter,
  type ConverterDoc,
  type ConverterFamily,
  REGISTRY,
  registerConverter,
} from './converters/index.js';
export { single } from './converters/types.js';
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
export { ExportError, unsupportedOption } from './errors.js';
export {
  type ExportFileOptions,
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
export type { GraphBuilder, Shape, Value } from './graph.js';
export type { LayerConfig, LayerWeights, WeightData } from './layer-config.js';
export type { Layout } from './layout.js';
export { decodeModel } from './proto/index.js';
