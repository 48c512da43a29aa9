// @conv3d/train/layers: the custom layers conv3d models use, registered with tfjs on import so saved model.json
// files load again. Loads tfjs only: no backend, no native addon.
export { BatchNormalization } from './batch-normalization.js';
export { Cropping3D, type Cropping3DArgs } from './cropping-3d.js';
export { GlobalAveragePooling3D, type GlobalAveragePooling3DArgs } from './global-average-pooling-3d.js';
export type { DataFormat, TriplePairs } from './spatial-3d-args.js';
export { UpSampling3D, type UpSampling3DArgs } from './up-sampling-3d.js';
export { ZeroPadding3D, type ZeroPadding3DArgs } from './zero-padding-3d.js';
