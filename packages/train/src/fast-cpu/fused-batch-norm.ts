// BatchNormalization in training as one kernel (batch mean and variance in one pass over x, the
// normalised output in a second, optionally followed by ReLU) and its gradient as one (two
// passes, with the ReLU's mask applied on the way), instead of tfjs's moments (Mean, Sub, Square,
// Mean) + FusedBatchNorm forward, a Relu, and the ~30 element-wise and broadcasting kernels of
// their gradients. Registered only on the fast CPU backend with its addon.
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { activeNativeKernels } from './active.js';
import { allocate, type KernelArgs, NO_VALUES, nativeInputs, output, valuesOf } from './kernel-support.js';
import type { NativeKernels } from './native-addon.js';

const FUSED_BATCH_NORM = 'Conv3dCpuBatchNormTraining';
const FUSED_BATCH_NORM_GRAD = 'Conv3dCpuBatchNormTrainingGrad';

interface BatchNormAttrs {
  epsilon: number;
  /** ReLU follows the normalisation (in the forward kernel, and as a mask in the gradient). */
  relu: boolean;
}

function need<K extends string>(args: KernelArgs, names: K[]): Record<K, TensorInfo> {
  const inputs = nativeInputs(args, names);
  if (inputs === null)
    throw new Error(`${FUSED_BATCH_NORM}: inputs ${names.join(', ')} must be non-empty float32`);
  return inputs;
}

function kernels(native: NativeKernels): Array<(backendName: string) => KernelConfig> {
  const forward = (args: KernelArgs): TensorInfo[] => {
    const { x, gamma, beta } = need(args, ['x', 'gamma', 'beta']);
    const { epsilon, relu } = args.attrs as unknown as BatchNormAttrs;
    const channels = gamma.shape[0] ?? 0;
    const y = allocate(args, tf.util.sizeFromShape(x.shape));
    const mean = new Float32Array(channels);
    const variance = new Float32Array(channels);
    native.batchNorm(
      valuesOf(args, x),
      valuesOf(args, gamma),
      valuesOf(args, beta),
      y,
      mean,
      variance,
      epsilon,
      relu,
    );
    return [output(args, x.shape, y), output(args, [channels], mean), output(args, [channels], variance)];
  };
  const gradient = (args: KernelArgs): TensorInfo[] => {
    const { x, dy, gamma, mean, variance, y } = need(args, ['x', 'dy', 'gamma', 'mean', 'variance', 'y']);
    const { epsilon, relu } = args.attrs as unknown as BatchNormAttrs;
    const channels = gamma.shape[0] ?? 0;
    const dx = allocate(args, tf.util.sizeFromShape(x.shape));
    const dgamma = new Float32Array(channels);
    const dbeta = new Float32Array(channels);
    native.batchNormGrad(
      valuesOf(args, x),
      valuesOf(args, dy),
      valuesOf(args, gamma),
      valuesOf(args, mean),
      valuesOf(args, variance),
      dx,
      dgamma,
      dbeta,
      epsilon,
      relu ? valuesOf(args, y) : NO_VALUES,
    );
    return [output(args, x.shape, dx), output(args, [channels], dgamma), output(args, [channels], dbeta)];
  };
  return [
    (backendName) => ({ kernelName: FUSED_BATCH_NORM, backendName, kernelFunc: forward }),
    (backendName) => ({ kernelName: FUSED_BATCH_NORM_GRAD, backendName, kernelFunc: gradient }),
  ];
}

let gradientRegistered = false;

/** Registers the kernels for `backendName` and (once) the gradient. */
export function registerFusedBatchNorm(backendName: string, native: NativeKernels): void {
  for (const make of kernels(native)) tf.registerKernel(make(backendName));
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: FUSED_BATCH_NORM,
    inputsToSave: ['x', 'gamma'],
    // y is the fused ReLU's mask; the next layer keeps it alive anyway (as its input).
    outputsToSave: [true, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [x, gamma, y, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      // Only the normalised output carries a gradient: the batch statistics feed the moving
      // averages, which are assigned, not differentiated.
      const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
      const [dx, dgamma, dbeta] = tf
        .engine()
        .runKernel(
          FUSED_BATCH_NORM_GRAD,
          { x, dy, gamma, mean, variance, y },
          attrs as NamedAttrMap,
        ) as tf.Tensor[];
      return { x: () => dx as tf.Tensor, gamma: () => dgamma as tf.Tensor, beta: () => dbeta as tf.Tensor };
    },
  });
}

export function fusedBatchNormAvailable(): boolean {
  return activeNativeKernels() !== undefined;
}

/**
 * Training-mode batch normalisation over the last axis: [normalised x, batch mean, batch
 * variance], the values tfjs's normalizeBatchInTraining returns; with relu, the first is
 * relu(normalised x). Only call it when fusedBatchNormAvailable().
 */
export function fusedBatchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  relu = false,
): [tf.Tensor, tf.Tensor1D, tf.Tensor1D] {
  const attrs: BatchNormAttrs = { epsilon, relu };
  return tf
    .engine()
    .runKernel(FUSED_BATCH_NORM, { x, gamma, beta }, attrs as unknown as NamedAttrMap) as unknown as [
    tf.Tensor,
    tf.Tensor1D,
    tf.Tensor1D,
  ];
}
