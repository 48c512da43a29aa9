// The fuzzer's generator tables, one file per layer family (sequence.ts draws whole sequence models). A new family
// is a new file and one line here; the fuzz test then demands that its classes and option tags are drawn.
import { ACTIVATION_GENERATORS } from './activation.js';
import { CONVOLUTION_GENERATORS } from './convolution.js';
import type { Generator } from './graph.js';
import { MERGE_GENERATORS } from './merge.js';
import { MISC_GENERATORS } from './misc.js';
import { NESTED_GENERATORS } from './nested.js';
import { NORMALIZATION_GENERATORS } from './normalization.js';
import { POOLING_GENERATORS } from './pooling.js';
import { REGULARIZATION_GENERATORS } from './regularization.js';
import { RESHAPING_GENERATORS } from './reshaping.js';
import { SPATIAL_GENERATORS } from './spatial.js';

export const GENERATORS: readonly Generator[] = [
  ...CONVOLUTION_GENERATORS,
  ...POOLING_GENERATORS,
  ...NORMALIZATION_GENERATORS,
  ...ACTIVATION_GENERATORS,
  ...REGULARIZATION_GENERATORS,
  ...SPATIAL_GENERATORS,
  ...RESHAPING_GENERATORS,
  ...MERGE_GENERATORS,
  ...MISC_GENERATORS,
  ...NESTED_GENERATORS,
];

export { FuzzGraph, type Generator } from './graph.js';
export { HEADS } from './heads.js';
export { randomSequenceModel, SEQUENCE_FEATURES, type SequenceModel } from './sequence.js';
