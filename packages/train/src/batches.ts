// Turns raw 3D MNIST rows into model tensors one batch at a time, so only one preprocessed batch
// (100 × 16³ × 3 float32 = 4.9 MB) exists at once whatever the dataset size.

import { NUM_CLASSES, oneHot, preprocessBatch, SAMPLE_SHAPE, VOXELS } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';

export type RawRows = Float32Array | Float64Array;

/** Copies the rows at `indices` of `x` (row-major, 4096 values per row) into one contiguous array. */
export function gatherRows(x: RawRows, indices: ArrayLike<number>): RawRows {
  const out =
    x instanceof Float32Array
      ? new Float32Array(indices.length * VOXELS)
      : new Float64Array(indices.length * VOXELS);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] as number;
    out.set(x.subarray(row * VOXELS, (row + 1) * VOXELS), i * VOXELS);
  }
  return out;
}

export function gatherLabels(y: Int32Array, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = y[indices[i] as number] as number;
  return out;
}

/** Preprocessed NDHWC inputs and one-hot targets for `count` consecutive raw rows. */
export function toTensors(x: RawRows, y: Int32Array, count: number): { xs: tf.Tensor; ys: tf.Tensor } {
  return {
    xs: tf.tensor(preprocessBatch(x, count), [count, ...SAMPLE_SHAPE], 'float32'),
    ys: tf.tensor2d(oneHot(y.subarray(0, count)), [count, NUM_CLASSES], 'float32'),
  };
}
