// Per-voxel losses on integer label volumes, without a one-hot volume: the probability at each voxel's label is
// gathered from the flattened output, and the Dice overlaps are segment sums of those gathered values by
// (sample, class). Built from tfjs ops; the gather has a custom gradient (a scatter, see atLabel).
// Formulas as PyTorch's CrossEntropyLoss (with `weight`) and MONAI's DiceLoss / DiceCELoss defaults (softmax,
// to_onehot_y, include_background, smooth_nr = smooth_dr = 1e-5, mean over samples and classes, lambda 1 each);
// the model's output is already softmax probabilities, clipped at Keras's epsilon before the log.
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../config.js';

/** Keras's epsilon: log(p) of a probability clipped to [1e-7, 1 − 1e-7], as its cross-entropy does. */
const EPSILON = 1e-7;
/** MONAI DiceLoss smooth_nr and smooth_dr. */
const SMOOTH = 1e-5;

/** A batch's labels in the index forms the losses gather with, made once on the CPU. */
export interface VoxelTargets {
  /** [M] int32: m·K + label of voxel m of the batch (M = N·D·H·W), the voxel's entry of the flattened output. */
  at: tf.Tensor1D;
  /** [M] int32: n·K + label, the (sample, class) each voxel counts for. */
  segment: tf.Tensor1D;
  /** [N, K] float32: voxels of each class in each sample (the one-hot's sums). */
  counts: tf.Tensor2D;
  /** [M] float32: the class weight of each voxel's label; absent without class weights. */
  weight?: tf.Tensor1D;
  samples: number;
  classes: number;
}

export function voxelTargets(
  labels: Int32Array,
  samples: number,
  classes: number,
  classWeights?: readonly number[],
): VoxelTargets {
  const m = labels.length;
  const perSample = m / samples;
  const at = new Int32Array(m);
  const segment = new Int32Array(m);
  const counts = new Float32Array(samples * classes);
  for (let i = 0; i < m; i++) {
    const label = labels[i] as number;
    const n = Math.floor(i / perSample);
    at[i] = i * classes + label;
    segment[i] = n * classes + label;
    counts[n * classes + label] = (counts[n * classes + label] as number) + 1;
  }
  return {
    at: tf.tensor1d(at, 'int32'),
    segment: tf.tensor1d(segment, 'int32'),
    counts: tf.tensor2d(counts, [samples, classes]),
    ...(classWeights && { weight: tf.tensor1d(Float32Array.from(labels, (l) => classWeights[l] as number)) }),
    samples,
    classes,
  };
}

export function disposeTargets(t: VoxelTargets): void {
  tf.dispose([t.at, t.segment, t.counts, ...(t.weight ? [t.weight] : [])]);
}

/**
 * The probability at each voxel's label, [M]: a gather whose gradient is a scatter of the M values into zeros.
 * (tfjs's own gather gradient is an unsortedSegmentSum over all M·K entries, which its cpu kernel computes one
 * segment at a time: minutes and gigabytes for one batch of volumes.)
 */
function atLabel(probs: tf.Tensor, t: VoxelTargets): tf.Tensor1D {
  const pick = tf.customGrad((p) => {
    const flat = tf.reshape(p as tf.Tensor, [-1]);
    return {
      value: tf.gather(flat, t.at),
      gradFunc: (dy) =>
        tf.reshape(
          tf.scatterND(tf.expandDims(t.at, 1), dy as tf.Tensor, [flat.size]),
          (p as tf.Tensor).shape,
        ),
    };
  });
  return pick(probs) as tf.Tensor1D;
}

/** Mean of −log p(label) over voxels, weighted as torch's CrossEntropyLoss(weight): Σ w·nll / Σ w. */
export function voxelCrossEntropy(probs: tf.Tensor, t: VoxelTargets): tf.Scalar {
  return tf.tidy(() => {
    const nll = tf.neg(tf.log(tf.clipByValue(atLabel(probs, t), EPSILON, 1 - EPSILON)));
    return t.weight ? tf.div(tf.sum(tf.mul(nll, t.weight)), tf.sum(t.weight)) : tf.mean(nll);
  });
}

/** MONAI's soft Dice loss: 1 − (2·Σ p·g + s) / (Σ p + Σ g + s) per sample and class, averaged. */
export function softDice(probs: tf.Tensor, t: VoxelTargets, includeBackground = true): tf.Scalar {
  return tf.tidy(() => {
    const { samples, classes } = t;
    const intersection = tf.reshape(tf.unsortedSegmentSum(atLabel(probs, t), t.segment, samples * classes), [
      samples,
      classes,
    ]);
    const predicted = tf.sum(tf.reshape(probs, [samples, -1, classes]), 1);
    let dice = tf.sub(
      1,
      tf.div(tf.add(tf.mul(intersection, 2), SMOOTH), tf.add(tf.add(predicted, t.counts), SMOOTH)),
    );
    if (!includeBackground) dice = tf.slice(dice, [0, 1], [samples, classes - 1]);
    return tf.mean(dice);
  });
}

/** The configured per-voxel loss of `probs` [N, D, H, W, K] against the batch's targets. */
export function segmentationLoss(
  loss: LossName,
  probs: tf.Tensor,
  t: VoxelTargets,
  includeBackground: boolean,
): tf.Scalar {
  if (loss === 'dice') return softDice(probs, t, includeBackground);
  if (loss === 'diceCrossentropy') {
    return tf.tidy(() => tf.add(softDice(probs, t, includeBackground), voxelCrossEntropy(probs, t)));
  }
  return voxelCrossEntropy(probs, t);
}
