// Concat and SplitV (the Concatenate layer's forward and, through tfjs's concat gradient, its
// backward) as row copies in the addon: tfjs's cpu SplitV slices with per-element index
// arithmetic, ~9 s for one 5-D U-Net skip gradient at batch 8 of 32³.
import type { ConcatAttrs, SplitVAttrs, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { allocate, type KernelFactory, nativeable, output, valuesOf } from './kernel-support.js';

/** The product of shape[0..axis): the rows both kernels copy piece by piece. */
function rowsBefore(shape: number[], axis: number): number {
  return shape.slice(0, axis).reduce((a, b) => a * b, 1);
}

const concat: KernelFactory = (native, stock) => (args) => {
  const inputs = Object.values(args.inputs) as TensorInfo[];
  const first = inputs[0];
  if (first === undefined || inputs.length < 2 || !inputs.every((t) => nativeable(t, first.shape.length)))
    return stock(args);
  const { axis } = args.attrs as unknown as ConcatAttrs;
  const [at] = tf.util.parseAxisParam(axis, first.shape);
  if (at === undefined) return stock(args);
  const shapes = inputs.map((t) => t.shape);
  tf.backend_util.assertParamsConsistent(shapes, at);
  const outShape = tf.backend_util.computeOutShape(shapes, at);
  const out = allocate(args, tf.util.sizeFromShape(outShape));
  native.concat(
    inputs.map((t) => valuesOf(args, t)),
    out,
    rowsBefore(outShape, at),
  );
  return output(args, outShape, out);
};

const splitV: KernelFactory = (native, stock) => (args) => {
  const x = args.inputs.x;
  if (!nativeable(x)) return stock(args);
  const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
  const [at] = tf.util.parseAxisParam(axis, x.shape);
  if (at === undefined) return stock(args);
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, at);
  if (sizes.some((s) => s <= 0)) return stock(args);
  const shapes = sizes.map((s) => x.shape.map((d, i) => (i === at ? s : d)));
  const outs = shapes.map((shape) => allocate(args, tf.util.sizeFromShape(shape)));
  native.split(valuesOf(args, x), outs, rowsBefore(x.shape, at));
  return outs.map((values, i) => output(args, shapes[i] as number[], values));
};

/** Concatenation and its gradient's split, by tfjs kernel name. */
export const CONCAT_KERNELS: Readonly<Record<string, KernelFactory>> = {
  Concat: concat,
  SplitV: splitV,
};
