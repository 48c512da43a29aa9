// Conv3D + bias + ReLU as one kernel, and its gradient as two: the filter and bias gradients
// from one pass over dy with ReLU's mask applied while dy is packed for the GEMM, and the input
// gradient with the same mask. They replace tfjs's Conv3D → Add → Relu forward and its Step,
// Multiply, Sum, Reshape and two Conv3D backprop kernels, and they never exist on the stock
// backend: layers ask `fusedConv3dAvailable()` first.
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { activeNativeKernels } from './active.js';
import { convGeometry } from './geometry.js';
import { allocate, type KernelArgs, NO_VALUES, nativeInputs, output, valuesOf } from './kernel-support.js';
import type { NativeKernels } from './native-addon.js';

export const FUSED_CONV3D = 'Conv3dCpuFusedConv3D';
const FUSED_CONV3D_FILTER_GRAD = 'Conv3dCpuFusedConv3DFilterGrad';
const FUSED_CONV3D_INPUT_GRAD = 'Conv3dCpuFusedConv3DInputGrad';

type Shape5 = [number, number, number, number, number];
type Triple = [number, number, number];

export interface FusedConv3DAttrs {
  strides: Triple;
  pad: 'valid' | 'same';
  dilations: Triple;
  relu: boolean;
}

function attrsOf(args: KernelArgs): FusedConv3DAttrs {
  return args.attrs as unknown as FusedConv3DAttrs;
}

function infoFor(
  xShape: number[],
  filterShape: number[],
  attrs: FusedConv3DAttrs,
): tf.backend_util.Conv3DInfo {
  return tf.backend_util.computeConv3DInfo(
    xShape as Shape5,
    filterShape as Shape5,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
  );
}

function need<K extends string>(args: KernelArgs, names: K[]): Record<K, TensorInfo> {
  const inputs = nativeInputs(args, names);
  if (inputs === null)
    throw new Error(`${FUSED_CONV3D}: inputs ${names.join(', ')} must be non-empty float32`);
  return inputs;
}

function kernels(native: NativeKernels): Array<(backendName: string) => KernelConfig> {
  const forward = (args: KernelArgs): TensorInfo => {
    const { x, filter } = need(args, ['x', 'filter']);
    const bias = args.inputs.bias;
    const attrs = attrsOf(args);
    const info = infoFor(x.shape, filter.shape, attrs);
    const y = allocate(args, tf.util.sizeFromShape(info.outShape));
    const biasValues = bias ? valuesOf(args, bias) : NO_VALUES;
    native.conv3d(valuesOf(args, x), valuesOf(args, filter), biasValues, y, convGeometry(info), attrs.relu);
    return output(args, info.outShape, y);
  };
  const filterGrad = (args: KernelArgs): TensorInfo[] => {
    const { x, dy, y } = need(args, ['x', 'dy', 'y']);
    const attrs = args.attrs as unknown as FusedConv3DAttrs & { filterShape: number[]; hasBias: boolean };
    const info = infoFor(x.shape, attrs.filterShape, attrs);
    const dw = allocate(args, tf.util.sizeFromShape(attrs.filterShape));
    const db = attrs.hasBias ? allocate(args, info.outChannels) : NO_VALUES;
    const mask = attrs.relu ? valuesOf(args, y) : NO_VALUES;
    native.conv3dBackpropFilter(valuesOf(args, x), valuesOf(args, dy), mask, dw, db, convGeometry(info));
    const outs = [output(args, attrs.filterShape, dw)];
    if (attrs.hasBias) outs.push(output(args, [info.outChannels], db));
    return outs;
  };
  const inputGrad = (args: KernelArgs): TensorInfo => {
    const { dy, filter, y } = need(args, ['dy', 'filter', 'y']);
    const attrs = args.attrs as unknown as FusedConv3DAttrs & { inputShape: number[] };
    const info = infoFor(attrs.inputShape, filter.shape, attrs);
    const dx = allocate(args, tf.util.sizeFromShape(attrs.inputShape));
    const mask = attrs.relu ? valuesOf(args, y) : NO_VALUES;
    native.conv3dBackpropInput(valuesOf(args, dy), valuesOf(args, filter), mask, dx, convGeometry(info));
    return output(args, attrs.inputShape, dx);
  };
  return [
    (backendName) => ({ kernelName: FUSED_CONV3D, backendName, kernelFunc: forward }),
    (backendName) => ({ kernelName: FUSED_CONV3D_FILTER_GRAD, backendName, kernelFunc: filterGrad }),
    (backendName) => ({ kernelName: FUSED_CONV3D_INPUT_GRAD, backendName, kernelFunc: inputGrad }),
  ];
}

let gradientRegistered = false;

/** Registers the fused kernels for `backendName` (once per name) and their gradient (once). */
export function registerFusedConv3D(backendName: string, native: NativeKernels): void {
  for (const make of kernels(native)) tf.registerKernel(make(backendName));
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: FUSED_CONV3D,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const grad = dy as tf.Tensor;
      const hasBias = (attrs as unknown as { hasBias: boolean }).hasBias;
      // Filter and bias gradients come from one pass; a frozen filter or bias just drops its part.
      const [dw, db] = tf.engine().runKernel(FUSED_CONV3D_FILTER_GRAD, { x, dy: grad, y }, {
        ...attrs,
        filterShape: filter.shape,
      } as unknown as NamedAttrMap) as tf.Tensor[];
      return {
        x: () =>
          tf.engine().runKernel(FUSED_CONV3D_INPUT_GRAD, { dy: grad, filter, y }, {
            ...attrs,
            inputShape: x.shape,
          } as unknown as NamedAttrMap) as tf.Tensor,
        filter: () => dw as tf.Tensor,
        ...(hasBias ? { bias: () => db as tf.Tensor } : {}),
      };
    },
  });
}

/** True when the active backend has the fused kernels (the fast CPU backend with its addon). */
export function fusedConv3dAvailable(): boolean {
  return activeNativeKernels() !== undefined;
}

/**
 * relu?(conv3d(x, filter) + bias) in one kernel, channels-last, 'valid' or 'same' padding, with
 * its gradient. Only call it when fusedConv3dAvailable().
 */
export function fusedConv3d(
  x: tf.Tensor5D,
  filter: tf.Tensor5D,
  bias: tf.Tensor1D | null,
  attrs: FusedConv3DAttrs,
): tf.Tensor5D {
  const inputs: tf.NamedTensorMap = bias ? { x, filter, bias } : { x, filter };
  return tf.engine().runKernel(FUSED_CONV3D, inputs, {
    ...attrs,
    hasBias: bias !== null,
  } as unknown as NamedAttrMap) as tf.Tensor5D;
}
