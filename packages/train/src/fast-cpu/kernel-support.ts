import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeKernels } from './native-addon.js';
import { PooledCpuBackend } from './pooled-backend.js';

export type KernelArgs = Parameters<KernelFunc>[0];
/** Builds a kernel that runs natively when it can and calls `stock` (tfjs's cpu kernel) otherwise. */
export type KernelFactory = (native: NativeKernels, stock: KernelFunc) => KernelFunc;

/** An empty array: "absent" for the addon's optional inputs and outputs. */
export const NO_VALUES = new Float32Array(0);
export const NO_INDICES = new Int32Array(0);

/**
 * A float32 tensor's values as a Float32Array. tfjs's cpu cast from int32 to float32 shares the
 * int32 tensor's Int32Array (no copy, the dtype alone changes), so such values are converted.
 */
export function valuesOf(args: KernelArgs, t: TensorInfo): Float32Array {
  const values = (args.backend as MathBackendCPU).data.get(t.dataId).values;
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

/**
 * A float32 output buffer of `size` values with unspecified contents, recycled from disposed
 * tensors on the pooled backend: only for outputs the kernel writes in full.
 */
export function allocate(args: KernelArgs, size: number): Float32Array {
  return args.backend instanceof PooledCpuBackend ? args.backend.pool.take(size) : new Float32Array(size);
}

/** The same, zero-filled: for outputs a kernel accumulates into. */
export function allocateZeros(args: KernelArgs, size: number): Float32Array {
  return args.backend instanceof PooledCpuBackend ? args.backend.pool.zeros(size) : new Float32Array(size);
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
