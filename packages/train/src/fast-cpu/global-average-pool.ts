// GlobalAveragePooling3D (channels-last: [N, D, H, W, C] -> [N, C]) and its gradient as one pass
// each, instead of tfjs's Mean (a transpose through generic index arithmetic, then a sum) and the
// broadcasting Multiply and RealDiv of its gradient: ~65 ms of a quiet issue-14 step for a
// [100, 4, 4, 4, 24] input. Plain loops in TypeScript suffice (a few hundred thousand values);
// the sums run in double in voxel order, then round to float32 before the division, as tfjs's Sum
// then RealDiv do. Registered only on the fast CPU backend with its addon, like the other fused kernels.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { activeNativeKernels } from './active.js';
import { allocate, type KernelArgs, nativeInputs, output, valuesOf } from './kernel-support.js';

const GLOBAL_AVG_POOL = 'Conv3dCpuGlobalAvgPool3D';
const GLOBAL_AVG_POOL_GRAD = 'Conv3dCpuGlobalAvgPool3DGrad';

function need(args: KernelArgs, names: string[], kernel: string): Record<string, TensorInfo> {
  const inputs = nativeInputs(args, names);
  if (inputs === null) throw new Error(`${kernel}: inputs ${names.join(', ')} must be non-empty float32`);
  return inputs;
}

const forward = (args: KernelArgs): TensorInfo => {
  const { x } = need(args, ['x'], GLOBAL_AVG_POOL) as { x: TensorInfo };
  const [n = 0, d = 0, h = 0, w = 0, c = 0] = x.shape;
  const voxels = d * h * w;
  const values = valuesOf(args, x);
  const out = allocate(args, n * c);
  const acc = new Float64Array(c);
  for (let s = 0; s < n; s++) {
    acc.fill(0);
    const base = s * voxels * c;
    for (let v = 0; v < voxels; v++) {
      const row = base + v * c;
      for (let k = 0; k < c; k++) acc[k] = (acc[k] as number) + (values[row + k] as number);
    }
    // tfjs: the sum is stored as float32, then divided (RealDiv rounds once more).
    for (let k = 0; k < c; k++) out[s * c + k] = Math.fround(acc[k] as number) / voxels;
  }
  return output(args, [n, c], out);
};

const gradient = (args: KernelArgs): TensorInfo => {
  const { dy } = need(args, ['dy'], GLOBAL_AVG_POOL_GRAD) as { dy: TensorInfo };
  const { inputShape } = args.attrs as unknown as { inputShape: number[] };
  const [n = 0, d = 0, h = 0, w = 0, c = 0] = inputShape;
  const voxels = d * h * w;
  const g = valuesOf(args, dy);
  const scaled = new Float32Array(n * c);
  for (let i = 0; i < n * c; i++) scaled[i] = (g[i] as number) / voxels;
  const dx = allocate(args, n * voxels * c);
  for (let s = 0; s < n; s++) {
    const from = scaled.subarray(s * c, (s + 1) * c);
    for (let v = 0; v < voxels; v++) dx.set(from, (s * voxels + v) * c);
  }
  return output(args, inputShape, dx);
};

function kernels(): Array<(backendName: string) => KernelConfig> {
  return [
    (backendName) => ({ kernelName: GLOBAL_AVG_POOL, backendName, kernelFunc: forward }),
    (backendName) => ({ kernelName: GLOBAL_AVG_POOL_GRAD, backendName, kernelFunc: gradient }),
  ];
}

let gradientRegistered = false;

export function registerGlobalAveragePool(backendName: string): void {
  for (const make of kernels()) tf.registerKernel(make(backendName));
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: GLOBAL_AVG_POOL,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      return {
        x: () =>
          tf.engine().runKernel(GLOBAL_AVG_POOL_GRAD, { dy: dy as tf.Tensor }, {
            inputShape: x.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  });
}

/** tf.mean(x, [1, 2, 3]) of a channels-last 5-D tensor, in one pass each way on the fast CPU backend. */
export function globalAveragePool3d(x: tf.Tensor): tf.Tensor {
  if (activeNativeKernels() === undefined || x.dtype !== 'float32' || x.rank !== 5 || x.size === 0) {
    return tf.mean(x, [1, 2, 3]);
  }
  return tf.engine().runKernel(GLOBAL_AVG_POOL, { x }) as tf.Tensor;
}
