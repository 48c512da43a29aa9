// Turns raw 3D MNIST rows into model tensors one batch at a time, so only one preprocessed batch
// (100 × 16³ × 3 float32 = 4.9 MB) exists at once whatever the dataset size.

import { preprocessBatch } from '@conv3d/core';
import { type Dataset3D, oneHot, type Split } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';
import { DATASET_CONTRACT } from './dataset-contract.js';

const VOXELS = DATASET_CONTRACT.rawLength;
const CLASSES = DATASET_CONTRACT.labels.length;

export type RawRows = Float32Array | Float64Array;

/** The part of @conv3d/data's Dataset3D that training uses (tests pass in-memory datasets of this shape). */
export type TrainingData = Pick<Dataset3D, 'path' | 'count' | 'read' | 'batches' | 'close'>;

/**
 * Reads the first `count` rows of a split, keeping the stored dtype. Read in slices: h5wasm stages each read in
 * its wasm heap, which never shrinks, so one whole-split read would hold the split twice for the whole run.
 */
export function readRows(
  ds: TrainingData,
  split: Split,
  count: number,
  slice = 500,
): { x: RawRows; y: Int32Array } {
  let x: RawRows | undefined;
  const y = new Int32Array(count);
  for (let start = 0; start < count; start += slice) {
    const part = ds.read(split, start, Math.min(slice, count - start));
    x ??=
      part.x instanceof Float32Array ? new Float32Array(count * VOXELS) : new Float64Array(count * VOXELS);
    x.set(part.x, start * VOXELS);
    y.set(part.y, start);
  }
  return { x: x ?? new Float64Array(0), y };
}

/** Copies the rows at `indices` of `x` (row-major, one raw row each) into one contiguous array. */
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
    xs: tf.tensor(
      preprocessBatch(DATASET_CONTRACT, x, count),
      [count, ...DATASET_CONTRACT.inputShape],
      'float32',
    ),
    ys: tf.tensor2d(oneHot(y.subarray(0, count), CLASSES), [count, CLASSES], 'float32'),
  };
}
