// No preprocessing: the raw values, as float32, are the model's input.
import { positiveChannels } from './minmax.js';
import type { Preprocessing } from './registry.js';

export const NONE = 'none';

export const none: Preprocessing = {
  id: NONE,
  description: 'raw values as float32: C → C',
  outputChannels: (inputChannels) => positiveChannels(NONE, inputChannels),
  apply(src, srcOffset, voxels, inputChannels, dst, dstOffset) {
    const n = voxels * positiveChannels(NONE, inputChannels);
    if (src instanceof Float64Array || src instanceof Float32Array) {
      dst.set(src.subarray(srcOffset, srcOffset + n), dstOffset);
    } else {
      for (let i = 0; i < n; i++) dst[dstOffset + i] = src[srcOffset + i] as number;
    }
  },
};
