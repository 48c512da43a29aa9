import * as tf from '@tensorflow/tfjs';
import { registerFastCpuBackend } from './backend.js';
import { loadNativeKernels } from './native-addon.js';

export { FastAdamOptimizer, fastAdam } from './adam.js';
export { BatchNormalization } from './batch-norm-layer.js';
export { Conv3D } from './conv3d-layer.js';
export { fusedConv3d, fusedConv3dAvailable } from './fused-conv3d.js';
export { fastRelu } from './fused-relu.js';
export { Activation, ReLU } from './relu-layer.js';

export interface FastCpuInfo {
  /** The tfjs backend name now active. */
  backend: string;
  /** Which kernels run, e.g. 'native-avx512-2threads', or 'stock-cpu' when the addon is missing. */
  kernels: string;
  /** The native binary loaded, relative to the package (a local build/Release or the shipped prebuilds/). */
  addon?: string;
  /** Why the native kernels are not in use (set only when kernels is 'stock-cpu'). */
  fallbackReason?: string;
}

export const FAST_CPU_BACKEND = 'conv3d-cpu';

let registered: Omit<FastCpuInfo, 'backend'> | undefined;

/**
 * Registers (once) and activates the fast CPU backend: tfjs's cpu backend with Conv3D,
 * MaxPool3D, their gradients, (fused) MatMul, Concat and SplitV, GatherV2, Transpose and
 * UnsortedSegmentSum, and the element-wise ops around
 * them (Add, Sub, Multiply, RealDiv with any broadcast, Relu, Step, Exp, Log, Neg, Softmax, Sum
 * over contiguous axes) replaced by multithreaded SIMD C++ kernels.
 * CONV3D_CPU_THREADS and CONV3D_CPU_ISA (generic|avx2|avx512) override the defaults (all cores,
 * the best instruction set the CPU has). If the native addon cannot load,
 * the backend still works with the stock cpu kernels and says why.
 */
export async function useFastCpuBackend(): Promise<FastCpuInfo> {
  if (registered === undefined) {
    const native = loadNativeKernels();
    registerFastCpuBackend(FAST_CPU_BACKEND, native);
    registered = native.ok
      ? { kernels: `native-${native.isa}-${native.threads}threads`, addon: native.file }
      : { kernels: 'stock-cpu', fallbackReason: `native addon unavailable: ${native.reason}` };
  }
  if (!(await tf.setBackend(FAST_CPU_BACKEND))) {
    throw new Error(`tfjs could not initialise the '${FAST_CPU_BACKEND}' backend`);
  }
  return { backend: FAST_CPU_BACKEND, ...registered };
}
