// GatherV2, UnsortedSegmentSum and Transpose as native copies and sums: a nearest up-sampling
// built from tf.gather (the UpSampling3D layer: one gather per spatial axis) and its gradient,
// which tfjs computes as Transpose → UnsortedSegmentSum → Transpose. tfjs's cpu kernels index
// element by element and sum each segment over a mask of every row: ~0.5 s for one gather of a
// [8, 16, 16, 16, 32] activation, ~30 s for its gradient.
import type { GatherV2Attrs, TensorInfo, TransposeAttrs, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  allocate,
  type KernelArgs,
  type KernelFactory,
  nativeable,
  output,
  valuesOf,
} from './kernel-support.js';

/** A non-empty int32 tensor's values. */
function int32Of(args: KernelArgs, t: TensorInfo | undefined): Int32Array | null {
  if (t === undefined || t.dtype !== 'int32' || tf.util.sizeFromShape(t.shape) === 0) return null;
  const values = (args.backend as MathBackendCPU).data.get(t.dataId).values;
  return values instanceof Int32Array ? values : null;
}

const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** batchDims 0 and in-range indices; anything else (and tfjs's errors) stays stock. */
const gatherV2: KernelFactory = (native, stock) => (args) => {
  const { x, indices } = args.inputs;
  const index = int32Of(args, indices);
  const { axis, batchDims } = args.attrs as unknown as GatherV2Attrs;
  if (!nativeable(x) || index === null || indices === undefined || (batchDims ?? 0) !== 0) return stock(args);
  const [at] = tf.util.parseAxisParam(axis, x.shape);
  const n = at === undefined ? 0 : (x.shape[at] ?? 0);
  if (at === undefined || index.some((i) => i < 0 || i >= n)) return stock(args);
  const outShape = [...x.shape.slice(0, at), ...indices.shape, ...x.shape.slice(at + 1)];
  const out = allocate(args, product(outShape));
  native.gather(valuesOf(args, x), index, out, product(x.shape.slice(0, at)), product(x.shape.slice(at + 1)));
  return output(args, outShape, out);
};

/** Segment ids along the first axis, one per row (as tfjs's GatherV2 gradient sends them). */
const unsortedSegmentSum: KernelFactory = (native, stock) => (args) => {
  const { x, segmentIds } = args.inputs;
  const ids = int32Of(args, segmentIds);
  const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
  if (!nativeable(x) || ids === null || segmentIds?.shape.length !== 1 || ids.length !== x.shape[0])
    return stock(args);
  const outShape = [numSegments, ...x.shape.slice(1)];
  const out = allocate(args, product(outShape));
  native.segmentSum(valuesOf(args, x), ids, out);
  return output(args, outShape, out);
};

const transpose: KernelFactory = (native, stock) => (args) => {
  const { x } = args.inputs;
  const { perm } = args.attrs as unknown as TransposeAttrs;
  if (!nativeable(x) || x.shape.length > 8 || perm.length !== x.shape.length) return stock(args);
  const outShape = perm.map((p) => x.shape[p] ?? 0);
  const out = allocate(args, product(outShape));
  native.transpose(valuesOf(args, x), out, Int32Array.from([x.shape.length, ...x.shape, ...perm]));
  return output(args, outShape, out);
};

/** Gathers, segment sums and transposes, by tfjs kernel name. */
export const GATHER_KERNELS: Readonly<Record<string, KernelFactory>> = {
  GatherV2: gatherV2,
  UnsortedSegmentSum: unsortedSegmentSum,
  Transpose: transpose,
};
