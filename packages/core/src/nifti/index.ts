// NIfTI-1/2 reading, reorientation and label-map writing: no dependencies, no Node APIs.
export { type Affine, affineSpacing } from './affine.js';
export { NiftiError } from './errors.js';
export { gunzip, gzip, isGzip } from './gzip.js';
export type { NiftiHeader } from './header.js';
export {
  type AxisOrientation,
  type AxisTransform,
  axisCodes,
  inverseTransform,
  ioOrientation,
  transformAffine,
  transformShape,
  transformTo,
} from './orientation.js';
export {
  type NiftiImage,
  orientImage,
  type ReadOptions,
  readCanonical,
  readNifti,
  type Volume,
} from './read.js';
export { type LabelArray, writeLabelNifti } from './write.js';
