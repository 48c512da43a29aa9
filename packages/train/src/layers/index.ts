// @conv3d/train/layers: the custom layers conv3d models use, registered with tfjs on import so saved model.json
// files load again. Loads tfjs only: no backend, no native addon.
export { BatchNormalization } from './batch-normalization.js';
export { GlobalAveragePooling3D, type GlobalAveragePooling3DArgs } from './global-average-pooling-3d.js';
