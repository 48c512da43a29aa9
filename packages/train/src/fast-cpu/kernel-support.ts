import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeKernels } from './native-addon.js';

export type KernelArgs = Parameters<KernelFunc>[0];
/** Builds a kernel that runs natively when it can and calls `stock` (tfjs's cpu kernel) otherwise. */
export type KernelFactory = (native: NativeKernels, stock: KernelFunc) => KernelFunc;

/** An empty array: "absent" for the addon's optional inputs and outputs. */
export const NO_VALUES = new Float32Array(0);
export const NO_INDICES = new Int32Array(0);

export function valuesOf(args: KernelArgs, t: TensorInfo): Float32Array {
  return (args.backend as MathBackendCPU).data.get(t.dataId).values as Float32Array;
}

export function output(args: KernelArgs, shape: number[], values: Float32Array): TensorInfo {
  return (args.backend as MathBackendCPU).makeTensorInfo(shape, 'float32', values);
}

export function nativeable(t: TensorInfo | undefined, rank?: number): t is TensorInfo {
  return (
    t !== undefined &&
    t.dtype === 'float32' &&
    (rank === undefined || t.shape.length === rank) &&
    tf.util.sizeFromShape(t.shape) > 0
  );
}

/**
 * The named inputs when all are non-empty float32 tensors (of the given rank, if any); null
 * means the stock kernel handles the call.
 */
export function nativeInputs<K extends string>(
  args: KernelArgs,
  names: K[],
  rank?: number,
): Record<K, TensorInfo> | null {
  const picked = {} as Record<K, TensorInfo>;
  for (const name of names) {
    const t = args.inputs[name];
    if (!nativeable(t, rank)) return null;
    picked[name] = t;
  }
  return picked;
}
