// The registry: tfjs layer class name → converter. One file per layer family.
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
import { maskingConverter } from './masking.js';
import { mergeConverter } from './merge.js';
import { poolingConverter } from './pooling.js';
import { preluConverter } from './prelu.js';
import { recurrentConverter } from './recurrent.js';
import type { Converter } from './types.js';
import { bidirectionalConverter, timeDistributedConverter } from './wrappers.js';

export const CONVERTERS: readonly Converter[] = [
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

export const REGISTRY: ReadonlyMap<string, Converter> = new Map(
  CONVERTERS.flatMap((c) => c.classNames.map((name) => [name, c] as const)),
);

export type { ConvertArgs, Converter } from './types.js';
