// The built-in converters, one file per layer family, registered under every class name they convert.
import { activationConverter, advancedActivationConverter } from './activation.js';
import { batchNormalizationConverter } from './batch-normalization.js';
import { categoryEncodingConverter } from './category-encoding.js';
import { convolutionConverter } from './convolution.js';
import { convLstm2dConverter } from './convolutional-recurrent.js';
import { denseConverter } from './dense.js';
import { dotConverter } from './dot.js';
import { dropoutConverter } from './dropout.js';
import { embeddingConverter } from './embedding.js';
import { flattenConverter } from './flatten.js';
import { globalPoolingConverter } from './global-pooling.js';
import {
  centerCropConverter,
  randomWidthConverter,
  rescalingConverter,
  resizingConverter,
} from './image-preprocessing.js';
import { inputConverter } from './input.js';
import { layerNormalizationConverter } from './layer-normalization.js';
import { maskingConverter } from './masking.js';
import { mergeConverter } from './merge.js';
import { poolingConverter } from './pooling.js';
import { preluConverter } from './prelu.js';
import { recurrentConverter } from './recurrent.js';
import { registerConverter } from './registry.js';
import { reshapingConverter } from './reshaping.js';
import { spatialConverter } from './spatial.js';
import type { ConverterFamily } from './types.js';
import { bidirectionalConverter, timeDistributedConverter } from './wrappers.js';

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
  recurrentConverter,
  convLstm2dConverter,
  bidirectionalConverter,
  timeDistributedConverter,
  embeddingConverter,
  maskingConverter,
  categoryEncodingConverter,
  rescalingConverter,
  resizingConverter,
  centerCropConverter,
  randomWidthConverter,
  preluConverter,
  dotConverter,
];

for (const family of CONVERTERS) {
  for (const name of family.classNames) {
    const { convert, consumesMasks } = family;
    registerConverter(name, { convert, consumesMasks, doc: family.classDocs?.[name] ?? family.doc });
  }
}

export { REGISTRY, registerConverter } from './registry.js';
export type { ConvertArgs, Converter, ConverterDoc, ConverterFamily } from './types.js';
