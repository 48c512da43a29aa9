// Per-sample autoscale: every value of a sample (all voxels, all channels) mapped linearly so its minimum is 0 and
// its maximum 1. A constant sample has no scale to recover and becomes all zeros.
import type { Preprocessing, RawVoxels } from './registry.js';

export const MINMAX = 'minmax';

export const minmax: Preprocessing = {
  id: MINMAX,
  description:
    'per-sample autoscale to [0, 1] over all voxels and channels (a constant sample → zeros): C → C',
  outputChannels: (inputChannels) => positiveChannels(MINMAX, inputChannels),
  apply(src, srcOffset, voxels, inputChannels, dst, dstOffset) {
    const n = voxels * positiveChannels(MINMAX, inputChannels);
    if (src instanceof Float64Array || src instanceof Float32Array) scale(src, srcOffset, n, dst, dstOffset);
    else scale(src as readonly number[], srcOffset, n, dst, dstOffset);
  },
};

// Generic over the array type so each call site stays monomorphic.
function scale<T extends RawVoxels>(
  src: T,
  srcOffset: number,
  n: number,
  dst: Float32Array,
  dstOffset: number,
): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = srcOffset; i < srcOffset + n; i++) {
    const v = src[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  if (range === 0) {
    dst.fill(0, dstOffset, dstOffset + n);
    return;
  }
  // In float64, rounded once on the store: (v − min) / range lands exactly on 0 and 1 at the extremes.
  for (let i = 0; i < n; i++) dst[dstOffset + i] = ((src[srcOffset + i] as number) - min) / range;
}

/** Validates a channel count for a C → C preprocessing. */
export function positiveChannels(id: string, inputChannels: number): number {
  if (!Number.isInteger(inputChannels) || inputChannels < 1) {
    throw new RangeError(`'${id}' needs a positive integer channel count, got ${inputChannels}`);
  }
  return inputChannels;
}
