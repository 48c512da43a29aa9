// Turns raw rows into model tensors one batch at a time, so only one preprocessed batch (for the seed
// 100 × 16³ × 3 float32 = 4.9 MB) exists at once whatever the dataset size. Row length, input shape and classes
// come from the run's contract.

import { type ModelContract, preprocessBatch } from '@conv3d/core';
import { type Dataset3D, oneHot, type Split } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';

export type RawRows = Float32Array | Float64Array;

/**
 * The part of @conv3d/data's Dataset3D that training uses (tests pass in-memory datasets of this shape). Without a
 * descriptor the data is taken for 3D MNIST at 16³ (the seed contract).
 */
export type TrainingData = Pick<Dataset3D, 'path' | 'count' | 'read' | 'batches' | 'close'> &
  Partial<Pick<Dataset3D, 'descriptor' | 'readAt' | 'info'>>;

/**
 * Reads the first `count` rows of a split, keeping the stored dtype. Read in slices: h5wasm stages each read in
 * its wasm heap, which never shrinks, so one whole-split read would hold the split twice for the whole run.
 */
export function readRows(
  ds: TrainingData,
  split: Split,
  count: number,
  rowLength: number,
  {
    slice = 500,
    shared = false,
    labelLength = 1,
  }: { slice?: number; shared?: boolean; labelLength?: number } = {},
): { x: RawRows; y: Int32Array } {
  let x: RawRows | undefined;
  // Shared memory lets the augmentation worker read the rows without a copy.
  const buffer = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
    shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const y = new Int32Array(buffer(count * labelLength * 4));
  for (let start = 0; start < count; start += slice) {
    const part = ds.read(split, start, Math.min(slice, count - start));
    x ??=
      part.x instanceof Float32Array
        ? new Float32Array(buffer(count * rowLength * 4))
        : new Float64Array(buffer(count * rowLength * 8));
    x.set(part.x, start * rowLength);
    y.set(part.y, start * labelLength);
  }
  return { x: x ?? new Float64Array(0), y };
}

/** Copies the rows at `indices` of `x` (row-major, `rowLength` values each) into one contiguous array. */
export function gatherRows(x: RawRows, indices: ArrayLike<number>, rowLength: number): RawRows {
  const out =
    x instanceof Float32Array
      ? new Float32Array(indices.length * rowLength)
      : new Float64Array(indices.length * rowLength);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] as number;
    out.set(x.subarray(row * rowLength, (row + 1) * rowLength), i * rowLength);
  }
  return out;
}

/** The labels of the rows at `indices`: one each, or `labelLength` (a label volume's voxels). */
export function gatherLabels(y: Int32Array, indices: ArrayLike<number>, labelLength = 1): Int32Array {
  const out = new Int32Array(indices.length * labelLength);
  if (labelLength === 1) {
    for (let i = 0; i < indices.length; i++) out[i] = y[indices[i] as number] as number;
    return out;
  }
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] as number;
    out.set(y.subarray(row * labelLength, (row + 1) * labelLength), i * labelLength);
  }
  return out;
}

/** Preprocessed NDHWC inputs and one-hot targets for `count` consecutive raw rows. */
export function toTensors(
  contract: ModelContract,
  x: RawRows,
  y: Int32Array,
  count: number,
): { xs: tf.Tensor; ys: tf.Tensor } {
  return batchTensors(contract, preprocessBatch(contract, x, count), y, count);
}

/** Model tensors for `count` already preprocessed samples (a streamed batch, prepared off the main thread). */
export function batchTensors(
  contract: ModelContract,
  inputs: Float32Array,
  y: Int32Array,
  count: number,
): { xs: tf.Tensor; ys: tf.Tensor } {
  const classes = contract.labels.length;
  return {
    xs: tf.tensor(inputs, [count, ...contract.inputShape], 'float32'),
    ys: tf.tensor2d(oneHot(y.subarray(0, count), classes), [count, classes], 'float32'),
  };
}
