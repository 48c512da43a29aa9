// The element type `build --dtype` writes X in, shared by the builder, its workers and the HDF5 writer (a module of
// its own so that workers don't load h5wasm).

/** float64 (Kaggle's) or float32 (half the file). */
export type VoxelType = 'float64' | 'float32';
export const VOXEL_TYPES: readonly VoxelType[] = ['float64', 'float32'];
export type VoxelArray = Float64Array | Float32Array;

export const VOXEL_ARRAY: Readonly<Record<VoxelType, Float64ArrayConstructor | Float32ArrayConstructor>> = {
  float64: Float64Array,
  float32: Float32Array,
};

/** Rows in the file's element type (float32 rounds the recipe's float64 values once). */
export function asDtype(x: Float64Array, dtype: VoxelType): VoxelArray {
  return dtype === 'float32' ? Float32Array.from(x) : x;
}
