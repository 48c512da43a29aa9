import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from './native-addon.js';

const nativeByBackend = new Map<string, NativeKernels>();

/** Records that tfjs backend `name` runs on these native kernels. */
export function setNativeKernels(name: string, kernels: NativeKernels): void {
  nativeByBackend.set(name, kernels);
}

/** The native kernels behind the active tfjs backend, if it is a fast CPU backend with its addon. */
export function activeNativeKernels(): NativeKernels | undefined {
  return nativeByBackend.get(tf.getBackend());
}
