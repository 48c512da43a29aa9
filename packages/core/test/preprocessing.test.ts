import { describe, expect, it } from 'vitest';
import {
  defineContract,
  findPreprocessing,
  minmax,
  none,
  orangesRgb,
  type Preprocessing,
  preprocessBatch,
  preprocessingIds,
  registerPreprocessing,
} from '../src/index.js';
import { ORANGES_LUT } from '../src/preprocessing/oranges-lut.js';

const run = (
  p: Preprocessing,
  src: Float32Array | Float64Array | number[],
  voxels: number,
  channels: number,
) => {
  const out = new Float32Array(voxels * p.outputChannels(channels)).fill(Number.NaN);
  p.apply(src, 0, voxels, channels, out, 0);
  return Array.from(out);
};

describe('the registry', () => {
  it('holds the built-ins under their ids', () => {
    expect(preprocessingIds()).toEqual(['oranges-rgb', 'minmax', 'none']);
    expect(findPreprocessing('minmax')).toBe(minmax);
    expect(findPreprocessing('viridis')).toBeUndefined();
  });

  it('throws on a duplicate id, and on an id a contract could not carry', () => {
    expect(() => registerPreprocessing({ ...none })).toThrow("preprocessing 'none' is already registered");
    expect(() => registerPreprocessing({ ...none, id: 'Has Spaces' })).toThrow(/must be lowercase/);
  });

  it('accepts a new id, which contracts may then name', () => {
    const double: Preprocessing = {
      id: 'test-double',
      description: 'x · 2',
      outputChannels: (c) => c,
      apply(src, srcOffset, voxels, channels, dst, dstOffset) {
        for (let i = 0; i < voxels * channels; i++) dst[dstOffset + i] = 2 * (src[srcOffset + i] as number);
      },
    };
    registerPreprocessing(double);
    const contract = defineContract({
      labels: ['a', 'b'],
      grid: [1, 1, 2],
      rawChannels: 1,
      preprocessing: 'test-double',
      inputKind: 'preprocessed',
    });
    expect(Array.from(preprocessBatch(contract, [1, 2, 3, 4]))).toEqual([2, 4, 6, 8]);
  });
});

describe('minmax', () => {
  it('maps each sample, all channels together, linearly onto [0, 1]', () => {
    expect(run(minmax, [2, 4, 3, 6], 2, 2)).toEqual([0, 0.5, 0.25, 1]);
    expect(run(minmax, Float32Array.from([-1, 1, 0]), 3, 1)).toEqual([0, 1, 0.5]);
  });

  it('maps a constant sample to zeros (no scale to recover)', () => {
    expect(run(minmax, Float64Array.from([7, 7, 7]), 3, 1)).toEqual([0, 0, 0]);
  });

  it('gives the same values for every input array type, and scales samples of a batch independently', () => {
    const values = [0.1, 0.7, 0.3, 0.9, 0.2, 0.4];
    const f64 = run(minmax, Float64Array.from(values), 6, 1);
    expect(run(minmax, values, 6, 1)).toEqual(f64);
    expect(run(minmax, Float32Array.from(values), 6, 1)).toEqual(
      run(minmax, Float64Array.from(Float32Array.from(values)), 6, 1),
    );
    const contract = defineContract({
      labels: ['a', 'b'],
      grid: [1, 1, 3],
      rawChannels: 1,
      preprocessing: 'minmax',
      inputKind: 'preprocessed',
    });
    expect(Array.from(preprocessBatch(contract, [0, 5, 10, 100, 300, 200]))).toEqual([0, 0.5, 1, 0, 1, 0.5]);
  });

  it('keeps the channel count and refuses none', () => {
    expect(minmax.outputChannels(4)).toBe(4);
    expect(() => minmax.outputChannels(0)).toThrow(RangeError);
  });
});

describe('none', () => {
  it('copies the raw values as float32', () => {
    expect(run(none, Float64Array.from([0.5, 2, -3]), 3, 1)).toEqual([0.5, 2, -3]);
    expect(run(none, [1 / 3], 1, 1)).toEqual([Math.fround(1 / 3)]);
    expect(none.outputChannels(5)).toBe(5);
  });
});

describe('oranges-rgb on any grid', () => {
  it('maps min → the first colour and max → the last, one RGB triple per voxel', () => {
    const last = ORANGES_LUT.length - 3;
    const out = run(orangesRgb, Float64Array.from([0, 1]), 2, 1);
    expect(out).toEqual([...ORANGES_LUT.slice(0, 3), ...ORANGES_LUT.slice(last)].map(Math.fround));
  });

  it('declares 1 → 3 channels and refuses other inputs', () => {
    expect(orangesRgb.outputChannels(1)).toBe(3);
    expect(() => orangesRgb.outputChannels(3)).toThrow(
      "'oranges-rgb' maps 1 raw channel to RGB, got 3 channels",
    );
  });
});
