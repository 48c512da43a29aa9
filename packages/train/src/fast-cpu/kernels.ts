import type {
  _FusedMatMulAttrs,
  BatchMatMulAttrs,
  Conv3DAttrs,
  Conv3DBackpropFilterV2Attrs,
  Conv3DBackpropInputV2Attrs,
  MaxPool3DAttrs,
  MaxPool3DGradAttrs,
  TensorInfo,
} from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { CONCAT_KERNELS } from './concat-kernels.js';
import { ELEMENTWISE_KERNELS } from './elementwise-kernels.js';
import { GATHER_KERNELS } from './gather-kernels.js';
import { convGeometry, hasPlainPadding, poolGeometry } from './geometry.js';
import {
  allocate,
  type KernelFactory,
  NO_INDICES,
  NO_VALUES,
  nativeable,
  nativeInputs,
  output,
  valuesOf,
} from './kernel-support.js';
import { PooledCpuBackend } from './pooled-backend.js';

type Shape5 = [number, number, number, number, number];

const conv3d: KernelFactory = (native, stock) => (args) => {
  const inputs = nativeInputs(args, ['x', 'filter'], 5);
  const attrs = args.attrs as unknown as Conv3DAttrs;
  if (inputs === null || attrs.dataFormat === 'NCDHW') return stock(args);
  const { x, filter } = inputs;
  const info = tf.backend_util.computeConv3DInfo(
    x.shape as Shape5,
    filter.shape as Shape5,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
  );
  if (!hasPlainPadding(info)) return stock(args);
  const y = allocate(args, tf.util.sizeFromShape(info.outShape));
  native.conv3d(valuesOf(args, x), valuesOf(args, filter), NO_VALUES, y, convGeometry(info), false);
  return output(args, info.outShape, y);
};

const conv3dBackpropFilter: KernelFactory = (native, stock) => (args) => {
  const inputs = nativeInputs(args, ['x', 'dy'], 5);
  if (inputs === null) return stock(args);
  const { x, dy } = inputs;
  const attrs = args.attrs as unknown as Conv3DBackpropFilterV2Attrs;
  const info = tf.backend_util.computeConv3DInfo(
    x.shape as Shape5,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
  );
  if (!hasPlainPadding(info)) return stock(args);
  const dw = allocate(args, tf.util.sizeFromShape(attrs.filterShape));
  native.conv3dBackpropFilter(
    valuesOf(args, x),
    valuesOf(args, dy),
    NO_VALUES,
    dw,
    NO_VALUES,
    convGeometry(info),
  );
  return output(args, attrs.filterShape, dw);
};

const conv3dBackpropInput: KernelFactory = (native, stock) => (args) => {
  const inputs = nativeInputs(args, ['dy', 'filter'], 5);
  if (inputs === null) return stock(args);
  const { dy, filter } = inputs;
  const attrs = args.attrs as unknown as Conv3DBackpropInputV2Attrs;
  const info = tf.backend_util.computeConv3DInfo(
    attrs.inputShape,
    filter.shape as Shape5,
    attrs.strides,
    1,
    attrs.pad,
  );
  if (!hasPlainPadding(info)) return stock(args);
  const dx = allocate(args, tf.util.sizeFromShape(attrs.inputShape));
  native.conv3dBackpropInput(valuesOf(args, dy), valuesOf(args, filter), NO_VALUES, dx, convGeometry(info));
  return output(args, attrs.inputShape, dx);
};

/** Each MaxPool3D output's argmax (flat indices into its input), while that output lives. */
const POOL_ARGMAX = new WeakMap<object, Int32Array>();

/** True while tfjs records ops for a gradient (inside tf.grads, variableGrads, trainOnBatch). */
function recordingGradients(): boolean {
  return ((tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth ?? 0) > 0;
}

/**
 * tfjs's cpu kernel encodes argmax positions with the window height where the width belongs;
 * its gradient only equals a true max-pool gradient when the two are equal, so only then is the
 * native argmax the same function.
 */
function argmaxMatchesTfjs(info: tf.backend_util.Conv3DInfo): boolean {
  return info.filterHeight === info.filterWidth;
}

const maxPool3d: KernelFactory = (native, stock) => (args) => {
  const inputs = nativeInputs(args, ['x'], 5);
  const attrs = args.attrs as unknown as MaxPool3DAttrs;
  if (inputs === null || attrs.dataFormat === 'NCDHW') return stock(args);
  const { x } = inputs;
  const info = tf.backend_util.computePool3DInfo(
    x.shape as Shape5,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (!hasPlainPadding(info) || tf.util.sizeFromShape(info.outShape) === 0) return stock(args);
  const size = tf.util.sizeFromShape(info.outShape);
  const y = allocate(args, size);
  // Under a gradient tape the argmax is kept for MaxPool3DGrad, which then need not search again.
  // On the pooled backend its memory is recycled with the output's (both go when the output does).
  const keep = recordingGradients() && argmaxMatchesTfjs(info);
  const pooled = args.backend instanceof PooledCpuBackend ? args.backend : undefined;
  const scratch = keep && pooled ? pooled.pool.take(size) : undefined;
  const argmax = !keep
    ? NO_INDICES
    : scratch
      ? new Int32Array(scratch.buffer, 0, size)
      : new Int32Array(size);
  native.maxPool3d(valuesOf(args, x), y, argmax, poolGeometry(info));
  const out = output(args, info.outShape, y);
  if (argmax.length > 0) POOL_ARGMAX.set(out.dataId, argmax);
  if (scratch && pooled) pooled.attach(out.dataId, scratch);
  return out;
};

const maxPool3dGrad: KernelFactory = (native, stock) => (args) => {
  const inputs = nativeInputs(args, ['dy', 'input'], 5);
  if (inputs === null) return stock(args);
  const { dy, input } = inputs;
  const attrs = args.attrs as unknown as MaxPool3DGradAttrs;
  const info = tf.backend_util.computePool3DInfo(
    input.shape as Shape5,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (!hasPlainPadding(info) || !argmaxMatchesTfjs(info)) return stock(args);
  const dx = allocate(args, tf.util.sizeFromShape(input.shape));
  const argmax = args.inputs.output && POOL_ARGMAX.get(args.inputs.output.dataId);
  if (argmax && argmax.length === tf.util.sizeFromShape(dy.shape)) {
    native.maxPool3dGradArgmax(valuesOf(args, dy), argmax, dx, input.shape[0] ?? 1);
  } else {
    native.maxPool3dGrad(valuesOf(args, dy), valuesOf(args, input), dx, poolGeometry(info));
  }
  return output(args, input.shape, dx);
};

interface MatMulPlan {
  outShape: number[];
  geometry: Int32Array;
}

/** Rank-2 or equal-rank-3 operands whose batch sizes match or broadcast from 1; else null. */
function planMatMul(
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): MatMulPlan | null {
  const rank = a.shape.length;
  if (rank !== b.shape.length || (rank !== 2 && rank !== 3)) return null;
  const dim = (t: TensorInfo, fromEnd: number): number => t.shape[t.shape.length - fromEnd] ?? 0;
  const [batchA, batchB] = rank === 3 ? [dim(a, 3), dim(b, 3)] : [1, 1];
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const [a0, a1, b0, b1] = [dim(a, 2), dim(a, 1), dim(b, 2), dim(b, 1)];
  const [m, k] = transposeA ? [a1, a0] : [a0, a1];
  const [kb, n] = transposeB ? [b1, b0] : [b0, b1];
  if (k !== kb) return null;
  const batch = Math.max(batchA, batchB);
  // Batch strides travel in an Int32Array.
  if (m * k > 2 ** 31 - 1 || k * n > 2 ** 31 - 1) return null;
  return {
    outShape: rank === 3 ? [batch, m, n] : [m, n],
    geometry: Int32Array.from([
      batch,
      m,
      k,
      n,
      transposeA ? 1 : 0,
      transposeB ? 1 : 0,
      batchA === 1 ? 0 : m * k,
      batchB === 1 ? 0 : k * n,
      0,
      0,
    ]),
  };
}

const batchMatMul: KernelFactory = (native, stock) => (args) => {
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const inputs = nativeInputs(args, ['a', 'b'], args.inputs.a?.shape.length ?? 0);
  const plan = inputs && planMatMul(inputs.a, inputs.b, transposeA, transposeB);
  if (!inputs || !plan) return stock(args);
  const { a, b } = inputs;
  const c = allocate(args, tf.util.sizeFromShape(plan.outShape));
  native.matMul(valuesOf(args, a), valuesOf(args, b), NO_VALUES, c, plan.geometry);
  return output(args, plan.outShape, c);
};

const fusedMatMul: KernelFactory = (native, stock) => (args) => {
  const { bias, preluActivationWeights } = args.inputs;
  const { transposeA, transposeB, activation } = args.attrs as unknown as _FusedMatMulAttrs;
  const inputs = nativeInputs(args, ['a', 'b'], args.inputs.a?.shape.length ?? 0);
  const plan = inputs && planMatMul(inputs.a, inputs.b, transposeA, transposeB);
  if (!inputs || !plan || preluActivationWeights !== undefined) return stock(args);
  if (activation !== 'linear' && activation !== 'relu') return stock(args);
  const n = plan.outShape[plan.outShape.length - 1];
  if (bias !== undefined && !(nativeable(bias, 1) && bias.shape[0] === n)) return stock(args);
  const { a, b } = inputs;
  plan.geometry[8] = bias === undefined ? 0 : 1;
  plan.geometry[9] = activation === 'relu' ? 1 : 0;
  const c = allocate(args, tf.util.sizeFromShape(plan.outShape));
  native.matMul(
    valuesOf(args, a),
    valuesOf(args, b),
    bias ? valuesOf(args, bias) : NO_VALUES,
    c,
    plan.geometry,
  );
  return output(args, plan.outShape, c);
};

/** The kernels this backend replaces, by tfjs kernel name. */
export const FAST_KERNELS: Readonly<Record<string, KernelFactory>> = {
  Conv3D: conv3d,
  Conv3DBackpropFilterV2: conv3dBackpropFilter,
  Conv3DBackpropInputV2: conv3dBackpropInput,
  MaxPool3D: maxPool3d,
  MaxPool3DGrad: maxPool3dGrad,
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  ...ELEMENTWISE_KERNELS,
  ...CONCAT_KERNELS,
  ...GATHER_KERNELS,
};
