// The built-in converters, one file per layer family, registered under every class name they convert.
import { activationConverter, advancedActivationConverter } from './activation.js';
import { batchNormalizationConverter } from './batch-normalization.js';
import { convolutionConverter } from './convolution.js';
import { denseConverter } from './dense.js';
import { dropoutConverter } from './dropout.js';
import { flattenConverter } from './flatten.js';
import { globalPoolingConverter } from './global-pooling.js';
import { inputConverter } from './input.js';
import { layerNormalizationConverter } from './layer-normalization.js';
import { mergeConverter } from './merge.js';
import { poolingConverter } from './pooling.js';
import { registerConverter } from './registry.js';
import { reshapingConverter } from './reshaping.js';
import { spatialConverter } from './spatial.js';
import type { ConverterFamily } from './types.js';

export const CONVERTERS: readonly ConverterFamily[] = [
  inputConverter,
  convolutionConverter,
  poolingConverter,
  globalPoolingConverter,
  batchNormalizationConverter,
  flattenConverter,
  denseConverter,
  dropoutConverter,
  activationConverter,
  advancedActivationConverter,
  mergeConverter,
  layerNormalizationConverter,
  reshapingConverter,
  spatialConverter,
];

for (const family of CONVERTERS) {
  for (const name of family.classNames) {
    registerConverter(name, { convert: family.convert, doc: family.classDocs?.[name] ?? family.doc });
  }
}

export { REGISTRY, registerConverter } from './registry.js';
export type { ConvertArgs, Converter, ConverterDoc, ConverterFamily } from './types.js';
