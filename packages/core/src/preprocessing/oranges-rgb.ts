// The seed's preprocessing: matplotlib ScalarMappable(cmap="Oranges").to_rgba(v)[:, :-1], one raw channel → RGB.
import { ORANGES_LUT, ORANGES_LUT_SIZE } from './oranges-lut.js';
import type { Preprocessing, RawVoxels } from './registry.js';

export const ORANGES_RGB = 'oranges-rgb';

const LUT32 = Float32Array.from(ORANGES_LUT);
// Module-local copies: V8 reads imported bindings through their module cell on every loop iteration.
const N = ORANGES_LUT_SIZE;
const C = 3;

/**
 * Like matplotlib with no norm set, each sample is scaled to its own [min, max]; a constant sample maps to 0.
 * Index = trunc(x·256) with x = 1 landing in the last entry, as matplotlib's Colormap.__call__ does.
 * Arithmetic follows the source dtype, as numpy's does: float32 data is normalised in float32.
 */
export const orangesRgb: Preprocessing = {
  id: ORANGES_RGB,
  description: 'matplotlib ScalarMappable("Oranges").to_rgba(v)[:, :-1] per sample: 1 channel → RGB',
  outputChannels(inputChannels) {
    if (inputChannels !== 1) {
      throw new RangeError(`'${ORANGES_RGB}' maps 1 raw channel to RGB, got ${inputChannels} channels`);
    }
    return C;
  },
  apply(src, srcOffset, voxels, inputChannels, dst, dstOffset) {
    orangesRgb.outputChannels(inputChannels);
    // One monomorphic loop per input type: element access on a union of array types is several times slower.
    if (src instanceof Float64Array) colourFloat64(src, srcOffset, voxels, dst, dstOffset);
    else if (src instanceof Float32Array) colourFloat32(src, srcOffset, voxels, dst, dstOffset);
    else colourFloat64(toFloat64(src, srcOffset, voxels), 0, voxels, dst, dstOffset);
  },
};

function toFloat64(src: RawVoxels, offset: number, length: number): Float64Array {
  return Float64Array.from((src as readonly number[]).slice(offset, offset + length));
}

function colourFloat64(
  src: Float64Array,
  srcOffset: number,
  V: number,
  dst: Float32Array,
  dstOffset: number,
): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = srcOffset; i < srcOffset + V; i++) {
    const v = src[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  if (range === 0) {
    fillFirstColour(dst, dstOffset, V);
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

function colourFloat32(
  src: Float32Array,
  srcOffset: number,
  V: number,
  dst: Float32Array,
  dstOffset: number,
): void {
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
    fillFirstColour(dst, dstOffset, V);
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
function fillFirstColour(dst: Float32Array, dstOffset: number, V: number): void {
  for (let o = dstOffset; o < dstOffset + V * C; o += C) {
    dst[o] = LUT32[0] as number;
    dst[o + 1] = LUT32[1] as number;
    dst[o + 2] = LUT32[2] as number;
  }
}
