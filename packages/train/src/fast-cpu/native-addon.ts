import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The C++ kernels in native/ (see native/build.mjs); every output is allocated by the caller. */
export interface NativeKernels {
  configure(isa: string, threads: number): { isa: string; threads: number };
  /** y = conv(x, filter) (+ bias unless empty) (then relu). */
  conv3d(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array,
    y: Float32Array,
    geometry: Int32Array,
    relu: boolean,
  ): void;
  /** dw and db (each skipped when empty) from dy masked by y > 0 (no mask when y is empty). */
  conv3dBackpropFilter(
    x: Float32Array,
    dy: Float32Array,
    y: Float32Array,
    dw: Float32Array,
    db: Float32Array,
    geometry: Int32Array,
  ): void;
  /** dx from dy masked by y > 0 (no mask when y is empty). */
  conv3dBackpropInput(
    dy: Float32Array,
    filter: Float32Array,
    y: Float32Array,
    dx: Float32Array,
    geometry: Int32Array,
  ): void;
  /** Also writes each maximum's flat index in x into argmax unless it is empty. */
  maxPool3d(x: Float32Array, y: Float32Array, argmax: Int32Array, geometry: Int32Array): void;
  /** Writes all of dx (its prior contents do not matter). */
  maxPool3dGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  /** dx = dy summed at the indices maxPool3d kept, 0 elsewhere (all of dx written); samples = the batch size. */
  maxPool3dGradArgmax(dy: Float32Array, argmax: Int32Array, dx: Float32Array, samples: number): void;
  matMul(a: Float32Array, b: Float32Array, bias: Float32Array, c: Float32Array, geometry: Int32Array): void;
  /**
   * out[i] = a[i % a.length] op b[i % b.length]; op 0 add, 1 subtract, 2 multiply, 3 divide, 4 a
   * masked by b > 0 (ReLU's gradient from its output b).
   */
  binaryOp(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /**
   * out = a op b (ops as binaryOp) over geometry = [rank, shape, a's strides, b's strides] (0 along
   * an axis an operand is broadcast over; the last axis's strides 0 or 1); out is contiguous.
   */
  binaryStrided(op: number, a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /** op 0 relu, 1 step (alpha where x <= 0), 2 exp, 3 log, 4 negate. */
  unaryOp(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /**
   * out = the inputs concatenated along an axis, as `rows` rows (the product of the axes before
   * it): each row is row r of every input in turn (input i's rows are its length / rows values).
   */
  concat(inputs: Float32Array[], out: Float32Array, rows: number): void;
  /** The inverse of concat: x's rows cut into the outputs' rows, in order. */
  split(x: Float32Array, outputs: Float32Array[], rows: number): void;
  /** x viewed as [outer, n, inner]: out = [outer, indices.length, inner], out[o, j] = x[o, indices[j]]. */
  gather(x: Float32Array, indices: Int32Array, out: Float32Array, outer: number, inner: number): void;
  /** out[s] = the sum of x's rows r (segmentIds.length rows) with segmentIds[r] = s, in double, in row order. */
  segmentSum(x: Float32Array, segmentIds: Int32Array, out: Float32Array): void;
  /** out = x with its axes permuted: geometry = [rank, x's shape, perm] (out's axis d is x's perm[d]). */
  transpose(x: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /** Softmax over each row of `cols` values (tfjs's Softmax on the last axis). */
  softmax(x: Float32Array, out: Float32Array, cols: number): void;
  /** x viewed as [outer, n, out.length / outer]: out = its sum over n, in double, in index order. */
  sumMiddle(x: Float32Array, out: Float32Array, outer: number): void;
  /**
   * One Adam step: 7 arrays per variable (value, m, v, gradient, new value, new m, new v) and the
   * float32 scalars [beta1, 1-beta1, beta2, 1-beta2, 1-beta1^t, 1-beta2^t, -lr, epsilon].
   */
  adam(tensors: Float32Array[], scalars: Float64Array): void;
  /**
   * BatchNormalization in training over the last axis (C = gamma.length); writes y (ReLU applied
   * when relu is set), mean, variance.
   */
  batchNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    epsilon: number,
    relu?: boolean,
  ): void;
  /** The gradient of batchNorm (through the batch statistics) for dy, masked first by y > 0 when y is not empty. */
  batchNormGrad(
    x: Float32Array,
    dy: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    epsilon: number,
    y?: Float32Array,
  ): void;
}

export type NativeLoad =
  | { ok: true; kernels: NativeKernels; isa: string; threads: number; file: string }
  | { ok: false; reason: string };

// src/fast-cpu and dist/fast-cpu are both two levels below the package root.
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
// node-gyp-build ships no types; path() is the part of its API used here.
const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };

/**
 * Finds the addon as node-gyp-build does (a local build/Release first, then the prebuilt binary shipped in
 * prebuilds/<platform>-<arch>/), loads it (once per process) and picks its instruction set (the best the CPU has,
 * or CONV3D_CPU_ISA=generic|avx2|avx512) and thread count (all cores, or CONV3D_CPU_THREADS). Never throws: a
 * missing or broken binary comes back as a reason.
 */
export function loadNativeKernels(env: NodeJS.ProcessEnv = process.env): NativeLoad {
  loaded ??= load(env);
  return loaded;
}

let loaded: NativeLoad | undefined;

function load(env: NodeJS.ProcessEnv): NativeLoad {
  try {
    const path = nodeGypBuild.path(PACKAGE_ROOT);
    const kernels = require(path) as NativeKernels;
    const threads = Number.parseInt(env.CONV3D_CPU_THREADS ?? '0', 10);
    const chosen = kernels.configure(env.CONV3D_CPU_ISA ?? '', Number.isFinite(threads) ? threads : 0);
    return { ok: true, kernels, ...chosen, file: relative(PACKAGE_ROOT, path) };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, reason: message ?? 'unknown error' };
  }
}
