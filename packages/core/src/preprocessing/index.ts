// The preprocessing registry and its built-ins (registered by registry.ts itself).
export { MINMAX, minmax } from './minmax.js';
export { NONE, none } from './none.js';
export { ORANGES_LUT, ORANGES_LUT_SIZE } from './oranges-lut.js';
export { ORANGES_RGB, orangesRgb } from './oranges-rgb.js';
export {
  findPreprocessing,
  type Preprocessing,
  preprocessingIds,
  type RawVoxels,
  registerPreprocessing,
} from './registry.js';
