// The seed's preprocessing: matplotlib ScalarMappable(cmap="Oranges").to_rgba(v)[:, :-1], reshaped to
// (16, 16, 16, 3). Pure: no Node APIs, so training, Node inference and browsers share this one implementation.
import { CHANNELS, NUM_CLASSES, SAMPLE_SIZE, VOXELS } from './contract.js';
import { ORANGES_LUT, ORANGES_LUT_SIZE } from './oranges-lut.js';

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
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < VOXELS; i++) {
    const v = src[srcOffset + i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const f32 = src instanceof Float32Array;
  const range = f32 ? Math.fround(max - min) : max - min;
  const n = ORANGES_LUT_SIZE;
  let o = dstOffset;
  for (let i = 0; i < VOXELS; i++) {
    let idx = 0;
    if (range !== 0) {
      const v = src[srcOffset + i] as number;
      let x: number;
      if (f32) x = Math.fround(Math.fround(Math.fround(v - min) / range) * n);
      else x = ((v - min) / range) * n;
      idx = x >= n ? n - 1 : x < 0 ? 0 : Math.trunc(x);
    }
    const l = idx * CHANNELS;
    dst[o] = LUT32[l] as number;
    dst[o + 1] = LUT32[l + 1] as number;
    dst[o + 2] = LUT32[l + 2] as number;
    o += CHANNELS;
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
