import type { SoftmaxAttrs, StepAttrs, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { allocate, type KernelFactory, nativeInputs, output, valuesOf } from './kernel-support.js';

const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

/** True when `shape`, without leading 1s, is the tail of `outShape`: its values then repeat in blocks. */
function repeatsInto(shape: number[], outShape: number[]): boolean {
  const first = shape.findIndex((d) => d !== 1);
  const core = first < 0 ? [] : shape.slice(first);
  const tail = outShape.slice(outShape.length - core.length);
  return core.length <= outShape.length && core.every((d, i) => d === tail[i]);
}

/**
 * Any other broadcast, for binaryStrided: [rank, extents, a's strides, b's strides] with axes of
 * extent 1 dropped and neighbours merged where both operands run on contiguously, so that the
 * innermost loop is as long as it can be.
 */
function stridedGeometry(aShape: number[], bShape: number[], outShape: number[]): Int32Array {
  const stridesOf = (shape: number[]): number[] => {
    const padded = [...outShape.slice(0, outShape.length - shape.length).map(() => 1), ...shape];
    const strides = new Array<number>(outShape.length);
    let step = 1;
    for (let d = outShape.length - 1; d >= 0; d--) {
      strides[d] = padded[d] === 1 ? 0 : step;
      step *= padded[d] ?? 1;
    }
    return strides;
  };
  const [sa, sb] = [stridesOf(aShape), stridesOf(bShape)];
  const axes: [number, number, number][] = [];
  for (const [d, extent] of outShape.entries()) {
    if (extent === 1) continue;
    const axis: [number, number, number] = [extent, sa[d] ?? 0, sb[d] ?? 0];
    const last = axes.at(-1);
    if (last && last[1] === axis[1] * extent && last[2] === axis[2] * extent) {
      last[0] *= extent;
      last[1] = axis[1];
      last[2] = axis[2];
    } else axes.push(axis);
  }
  if (axes.length === 0) axes.push([1, 0, 0]);
  return Int32Array.from([
    axes.length,
    ...axes.map((a) => a[0]),
    ...axes.map((a) => a[1]),
    ...axes.map((a) => a[2]),
  ]);
}

/** Same-shape operands or one that repeats along leading axes (a bias, a scalar) in one flat pass; any other broadcast strided. */
function binary(op: keyof typeof BINARY_OPS): KernelFactory {
  return (native, stock) => (args) => {
    const a = args.inputs.a;
    const b = args.inputs.b;
    const inputs = a && b ? nativeInputs(args, ['a', 'b']) : null;
    if (inputs === null) return stock(args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(inputs.a.shape, inputs.b.shape);
    const size = tf.util.sizeFromShape(outShape);
    const full = (t: TensorInfo) => tf.util.sizeFromShape(t.shape) === size;
    const fits = (t: TensorInfo) => full(t) || repeatsInto(t.shape, outShape);
    const out = allocate(args, size);
    const [av, bv] = [valuesOf(args, inputs.a), valuesOf(args, inputs.b)];
    if ((full(inputs.a) || full(inputs.b)) && fits(inputs.a) && fits(inputs.b)) {
      native.binaryOp(BINARY_OPS[op], av, bv, out);
    } else {
      native.binaryStrided(
        BINARY_OPS[op],
        av,
        bv,
        out,
        stridedGeometry(inputs.a.shape, inputs.b.shape, outShape),
      );
    }
    return output(args, outShape, out);
  };
}

/** A one-input kernel: addon unary op `op` (native-addon.ts) with `alpha`. */
function unary(
  op: number,
  alphaOf: (args: Parameters<ReturnType<KernelFactory>>[0]) => number = () => 0,
): KernelFactory {
  return (native, stock) => (args) => {
    const inputs = nativeInputs(args, ['x']);
    if (inputs === null) return stock(args);
    const out = allocate(args, tf.util.sizeFromShape(inputs.x.shape));
    native.unaryOp(op, valuesOf(args, inputs.x), out, alphaOf(args));
    return output(args, inputs.x.shape, out);
  };
}

/**
 * Sum (or, with `mean`, tfjs's mean: the sum of x / n, divided first as tfjs's cpu kernel does)
 * over one contiguous run of axes: bias gradients, per-sample and per-voxel sums, the whole
 * tensor. Other axes go stock.
 */
function reduce(mean: boolean): KernelFactory {
  return (native, stock) => (args) => {
    const inputs = nativeInputs(args, ['x']);
    if (inputs === null) return stock(args);
    const { shape } = inputs.x;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const axes = tf.util.parseAxisParam(axis, shape).sort((p, q) => p - q);
    const first = axes[0] ?? 0;
    if (axes.length === 0 || !axes.every((a, i) => a === first + i)) return stock(args);
    const end = first + axes.length;
    const outShape = keepDims
      ? shape.map((d, i) => (i >= first && i < end ? 1 : d))
      : [...shape.slice(0, first), ...shape.slice(end)];
    const out = allocate(args, tf.util.sizeFromShape(outShape));
    const x = valuesOf(args, inputs.x);
    const outer = tf.util.sizeFromShape(shape.slice(0, first));
    if (!mean) {
      native.sumMiddle(x, out, outer);
      return output(args, outShape, out);
    }
    const scaled = output(args, shape, allocate(args, x.length));
    const values = valuesOf(args, scaled);
    native.binaryOp(
      BINARY_OPS.RealDiv,
      x,
      Float32Array.of(tf.util.sizeFromShape(shape.slice(first, end))),
      values,
    );
    native.sumMiddle(values, out, outer);
    (args.backend as MathBackendCPU).disposeIntermediateTensorInfo(scaled);
    return output(args, outShape, out);
  };
}

/** Softmax on the last axis (the only one tfjs's cpu kernel takes): the classifier's and a per-voxel softmax. */
const softmax: KernelFactory = (native, stock) => (args) => {
  const inputs = nativeInputs(args, ['logits']);
  if (inputs === null) return stock(args);
  const { shape } = inputs.logits;
  const { dim } = args.attrs as unknown as SoftmaxAttrs;
  if (dim !== -1 && dim !== shape.length - 1) return stock(args);
  const out = allocate(args, tf.util.sizeFromShape(shape));
  native.softmax(valuesOf(args, inputs.logits), out, shape[shape.length - 1] ?? 1);
  return output(args, shape, out);
};

/** The element-wise kernels around the convolutions and in the losses, by tfjs kernel name. */
export const ELEMENTWISE_KERNELS: Readonly<Record<string, KernelFactory>> = {
  Add: binary('Add'),
  Sub: binary('Sub'),
  Multiply: binary('Multiply'),
  RealDiv: binary('RealDiv'),
  Relu: unary(0),
  Step: unary(1, (args) => (args.attrs as unknown as StepAttrs).alpha),
  Exp: unary(2),
  Log: unary(3),
  Neg: unary(4),
  Sum: reduce(false),
  Mean: reduce(true),
  Softmax: softmax,
};
