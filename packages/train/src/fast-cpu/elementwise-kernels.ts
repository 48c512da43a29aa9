import type { StepAttrs, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { allocate, type KernelFactory, nativeInputs, output, valuesOf } from './kernel-support.js';

const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

/** True when `shape`, without leading 1s, is the tail of `outShape`: its values then repeat in blocks. */
function repeatsInto(shape: number[], outShape: number[]): boolean {
  const first = shape.findIndex((d) => d !== 1);
  const core = first < 0 ? [] : shape.slice(first);
  const tail = outShape.slice(outShape.length - core.length);
  return core.length <= outShape.length && core.every((d, i) => d === tail[i]);
}

/** Same-shape operands, or one that repeats along leading axes (a bias, a scalar). */
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
    if (!(full(inputs.a) || full(inputs.b)) || !fits(inputs.a) || !fits(inputs.b)) return stock(args);
    const out = allocate(args, size);
    native.binaryOp(BINARY_OPS[op], valuesOf(args, inputs.a), valuesOf(args, inputs.b), out);
    return output(args, outShape, out);
  };
}

const relu: KernelFactory = (native, stock) => (args) => {
  const inputs = nativeInputs(args, ['x']);
  if (inputs === null) return stock(args);
  const out = allocate(args, tf.util.sizeFromShape(inputs.x.shape));
  native.unaryOp(0, valuesOf(args, inputs.x), out, 0);
  return output(args, inputs.x.shape, out);
};

const step: KernelFactory = (native, stock) => (args) => {
  const inputs = nativeInputs(args, ['x']);
  if (inputs === null) return stock(args);
  const { alpha } = args.attrs as unknown as StepAttrs;
  const out = allocate(args, tf.util.sizeFromShape(inputs.x.shape));
  native.unaryOp(1, valuesOf(args, inputs.x), out, alpha);
  return output(args, inputs.x.shape, out);
};

/** Sums over a leading run of axes (the bias gradients; the whole tensor); others go stock. */
const sum: KernelFactory = (native, stock) => (args) => {
  const inputs = nativeInputs(args, ['x']);
  if (inputs === null) return stock(args);
  const { shape } = inputs.x;
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  const axes = tf.util.parseAxisParam(axis, shape).sort((p, q) => p - q);
  if (!axes.every((a, i) => a === i)) return stock(args);
  const kept = shape.slice(axes.length);
  const out = allocate(args, tf.util.sizeFromShape(kept));
  native.sumRows(valuesOf(args, inputs.x), out);
  const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
  return output(args, outShape, out);
};

/** The element-wise kernels around the convolutions, by tfjs kernel name. */
export const ELEMENTWISE_KERNELS: Readonly<Record<string, KernelFactory>> = {
  Add: binary('Add'),
  Sub: binary('Sub'),
  Multiply: binary('Multiply'),
  RealDiv: binary('RealDiv'),
  Relu: relu,
  Step: step,
  Sum: sum,
};
