import * as tf from '@tensorflow/tfjs';
import { setNativeKernels } from './active.js';
import { registerFusedBatchNorm } from './fused-batch-norm.js';
import { registerFusedConv3D } from './fused-conv3d.js';
import { registerFusedRelu } from './fused-relu.js';
import { registerGlobalAveragePool } from './global-average-pool.js';
import { FAST_KERNELS } from './kernels.js';
import type { NativeLoad } from './native-addon.js';
import { PooledCpuBackend } from './pooled-backend.js';

/**
 * Registers `name` as tfjs's cpu backend with the kernels in FAST_KERNELS replaced by native ones.
 * Every other kernel, and every configuration a fast kernel does not claim, is the stock cpu
 * kernel, so the layers, their weights and saved models are exactly those of the cpu backend. Large
 * outputs of the fast kernels reuse the memory of disposed tensors (PooledCpuBackend).
 * With the addon it also gets the fused Conv3D kernels the Conv3D layer uses (fused-conv3d.ts);
 * without it all kernels stay stock.
 */
export function registerFastCpuBackend(name: string, native: NativeLoad): void {
  tf.registerBackend(name, () => new PooledCpuBackend(), -1);
  for (const config of tf.getKernelsForBackend('cpu')) {
    const factory = FAST_KERNELS[config.kernelName];
    const kernelFunc = native.ok && factory ? factory(native.kernels, config.kernelFunc) : config.kernelFunc;
    tf.registerKernel({ ...config, backendName: name, kernelFunc });
  }
  if (native.ok) {
    registerFusedConv3D(name, native.kernels);
    registerFusedBatchNorm(name, native.kernels);
    registerFusedRelu(name, native.kernels);
    registerGlobalAveragePool(name);
    setNativeKernels(name, native.kernels);
  }
}
