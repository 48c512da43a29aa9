// The seed's preprocessing: matplotlib ScalarMappable(cmap="Oranges").to_rgba(v)[:, :-1], reshaped to
// (16, 16, 16, 3). Pure: no Node APIs, so training, Node inference and browsers share this one implementation.
import { CHANNELS, NUM_CLASSES, SAMPLE_SIZE, VOXELS } from './contract.js';
import { ORANGES_LUT, ORANGES_LUT_SIZE } from './oranges-lut.js';

export { ORANGES_LUT, ORANGES_LUT_SIZE } from './oranges-lut.js';

export type RawVoxels = Float32Array | Float64Array | readonly number[];

const LUT32 = Float32Array.from(ORANGES_LUT);

/**
 * Maps one raw sample (4096 values at `srcOffset`) to NDHWC RGB float32 at `dstOffset`.
 *
 * Like matplotlib with no norm set, each sample is scaled to its own [min, max]; a constant sample maps to 0.
 * Index = trunc(x·256) with x = 1 landing in the last entry, as matplotlib's Colormap.__call__ does.
 * Arithmetic follows the source dtype, as numpy's does: float32 data is normalised in float32.
 */
export function preprocessSample(
  src: RawVoxels,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
): void {
  // One monomorphic loop per input type: element access on a union of array types is several times slower.
  if (src instanceof Float64Array) colourFloat64(src, srcOffset, dst, dstOffset);
  else if (src instanceof Float32Array) colourFloat32(src, srcOffset, dst, dstOffset);
  else colourFloat64(Float64Array.from(src.slice(srcOffset, srcOffset + VOXELS)), 0, dst, dstOffset);
}

// Module-local copies: V8 reads imported bindings through their module cell on every loop iteration.
const N = ORANGES_LUT_SIZE;
const V = VOXELS;
const C = CHANNELS;

function colourFloat64(src: Float64Array, srcOffset: number, dst: Float32Array, dstOffset: number): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = srcOffset; i < srcOffset + V; i++) {
    const v = src[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  if (range === 0) {
    fillFirstColour(dst, dstOffset);
    return;
  }
  let o = dstOffset;
  for (let i = srcOffset; i < srcOffset + V; i++) {
    // numpy: (v - vmin) / (vmax - vmin), then × N in Colormap.__call__
    const x = (((src[i] as number) - min) / range) * N;
    writeColour(dst, o, x);
    o += C;
  }
}

function colourFloat32(src: Float32Array, srcOffset: number, dst: Float32Array, dstOffset: number): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = srcOffset; i < srcOffset + V; i++) {
    const v = src[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // numpy keeps float32 data in float32: every step rounds to float32.
  const range = Math.fround(max - min);
  if (range === 0) {
    fillFirstColour(dst, dstOffset);
    return;
  }
  let o = dstOffset;
  for (let i = srcOffset; i < srcOffset + V; i++) {
    const x = Math.fround(Math.fround(Math.fround((src[i] as number) - min) / range) * N);
    writeColour(dst, o, x);
    o += C;
  }
}

/** LUT entry trunc(x), with x = N (the value 1) landing in the last entry, as matplotlib's Colormap.__call__ does. */
function writeColour(dst: Float32Array, o: number, x: number): void {
  // `| 0` truncates like astype(int) and gives V8 an int32 index (a float64 index takes a slow path).
  const l = (x >= N ? N - 1 : x < 0 ? 0 : x | 0) * C;
  dst[o] = LUT32[l] as number;
  dst[o + 1] = LUT32[l + 1] as number;
  dst[o + 2] = LUT32[l + 2] as number;
}

/** A constant sample: matplotlib's Normalize maps it to 0, the first colour. */
function fillFirstColour(dst: Float32Array, dstOffset: number): void {
  for (let o = dstOffset; o < dstOffset + V * C; o += C) {
    dst[o] = LUT32[0] as number;
    dst[o + 1] = LUT32[1] as number;
    dst[o + 2] = LUT32[2] as number;
  }
}

/** Preprocesses `count` consecutive raw samples into one NDHWC float32 batch `[count, 16, 16, 16, 3]`. */
export function preprocessBatch(src: RawVoxels, count = src.length / VOXELS): Float32Array {
  if (!Number.isInteger(count) || count * VOXELS > src.length) {
    throw new RangeError(`preprocessBatch: ${src.length} values do not hold ${count} samples of ${VOXELS}`);
  }
  const out = new Float32Array(count * SAMPLE_SIZE);
  for (let s = 0; s < count; s++) preprocessSample(src, s * VOXELS, out, s * SAMPLE_SIZE);
  return out;
}

/** One-hot float32 labels `[count, 10]`. */
export function oneHot(labels: ArrayLike<number | bigint>, numClasses = NUM_CLASSES): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) out[i * numClasses + Number(labels[i])] = 1;
  return out;
}

/** Keras `validation_split`: the last `fraction` of the rows, unshuffled. Returns the first validation row. */
export function validationSplitIndex(rows: number, fraction: number): number {
  if (!(fraction >= 0 && fraction < 1))
    throw new RangeError(`validation split must be in [0, 1), got ${fraction}`);
  // Keras: split_at = int(num_samples * (1 - validation_split))
  return Math.trunc(rows * (1 - fraction));
}
