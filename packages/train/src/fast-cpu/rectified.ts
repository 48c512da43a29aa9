import type * as tf from '@tensorflow/tfjs';

/** Outputs (by dataId) of fused BatchNormalization + ReLU calls: already rectified. */
const RECTIFIED = new WeakSet<object>();

export function markRectified(y: tf.Tensor): void {
  RECTIFIED.add(y.dataId);
}

/** True when `x` came out of a BatchNormalization that applied the following ReLU itself. */
export function alreadyRectified(x: tf.Tensor): boolean {
  return RECTIFIED.has(x.dataId);
}
