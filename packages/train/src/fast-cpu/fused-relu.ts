// ReLU whose gradient is one native pass (dy masked by the saved output), instead of tfjs's
// Step + Multiply: two passes and an extra activation-sized tensor. Registered only on the fast
// CPU backend with its addon.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { activeNativeKernels } from './active.js';
import { allocate, type KernelArgs, nativeInputs, output, valuesOf } from './kernel-support.js';
import type { NativeKernels } from './native-addon.js';

const FUSED_RELU = 'Conv3dCpuRelu';
const FUSED_RELU_GRAD = 'Conv3dCpuReluGrad';

function kernels(native: NativeKernels): Array<(backendName: string) => KernelConfig> {
  const forward = (args: KernelArgs): TensorInfo => {
    const inputs = nativeInputs(args, ['x']);
    if (inputs === null) throw new Error(`${FUSED_RELU}: x must be a non-empty float32 tensor`);
    const y = allocate(args, tf.util.sizeFromShape(inputs.x.shape));
    native.unaryOp(0, valuesOf(args, inputs.x), y, 0);
    return output(args, inputs.x.shape, y);
  };
  const gradient = (args: KernelArgs): TensorInfo => {
    const inputs = nativeInputs(args, ['dy', 'y']);
    if (inputs === null) throw new Error(`${FUSED_RELU_GRAD}: dy and y must be non-empty float32 tensors`);
    const dx = allocate(args, tf.util.sizeFromShape(inputs.y.shape));
    native.binaryOp(4, valuesOf(args, inputs.dy), valuesOf(args, inputs.y), dx);
    return output(args, inputs.y.shape, dx);
  };
  return [
    (backendName) => ({ kernelName: FUSED_RELU, backendName, kernelFunc: forward }),
    (backendName) => ({ kernelName: FUSED_RELU_GRAD, backendName, kernelFunc: gradient }),
  ];
}

let gradientRegistered = false;

export function registerFusedRelu(backendName: string, native: NativeKernels): void {
  for (const make of kernels(native)) tf.registerKernel(make(backendName));
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: FUSED_RELU,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved as [tf.Tensor];
      return { x: () => tf.engine().runKernel(FUSED_RELU_GRAD, { dy: dy as tf.Tensor, y }) as tf.Tensor };
    },
  });
}

/** tf.relu, with the one-pass gradient on the fast CPU backend. */
export function fastRelu<T extends tf.Tensor>(x: T): T {
  if (activeNativeKernels() === undefined || x.dtype !== 'float32' || x.size === 0) return tf.relu(x);
  return tf.engine().runKernel(FUSED_RELU, { x }) as T;
}
