// The demo's vector-file reader: JSON arrays and little-endian float32 .bin files of one raw row of the loaded
// model (its contract's grid × channels).
import { defineContract, SEED_CONTRACT } from '@conv3d/core';
import { describe, expect, it } from 'vitest';
import { parseVectorFile } from '../demo/vector-file.js';

const encode = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;
const SHAPES = defineContract({
  labels: ['sphere', 'cube', 'torus', 'rod'],
  grid: [12, 10, 8],
  rawChannels: 1,
  preprocessing: 'minmax',
  inputKind: 'preprocessed',
});

describe('parseVectorFile', () => {
  it('reads a JSON array of 4096 numbers for a 16³ model', () => {
    const values = Array.from({ length: 4096 }, (_, i) => (i % 7) / 6);
    expect(parseVectorFile('v.json', encode(JSON.stringify(values)), SEED_CONTRACT)).toEqual(values);
  });

  it("reads a model's own row length: 960 little-endian float32 values for a 12×10×8 model", () => {
    const bytes = new ArrayBuffer(960 * 4);
    new DataView(bytes).setFloat32(4 * 5, 0.25, true);
    const values = parseVectorFile('v.bin', bytes, SHAPES);
    expect(values).toBeInstanceOf(Float32Array);
    expect(values).toHaveLength(960);
    expect(values[5]).toBe(0.25);
    expect(() => parseVectorFile('seed.bin', new ArrayBuffer(4096 * 4), SHAPES)).toThrow(
      "seed.bin: 16384 bytes; expected 3840: 960 (the model's grid 12×10×8 × 1 channel(s)) float32 values",
    );
  });

  it('names the file and what was expected', () => {
    expect(() => parseVectorFile('a.json', encode('[1, 2]'), SEED_CONTRACT)).toThrow(
      "a.json: got an array of 2; expected a JSON array of 4096 (the model's grid 16×16×16 × 1 channel(s)) numbers",
    );
    expect(() => parseVectorFile('b.json', encode('{'), SEED_CONTRACT)).toThrow(/^b.json: not valid JSON/);
    expect(() =>
      parseVectorFile('c.json', encode(JSON.stringify(['x', ...new Array(4095).fill(0)])), SEED_CONTRACT),
    ).toThrow('c.json: element 0 is not a number');
    expect(() => parseVectorFile('d.bin', new ArrayBuffer(10), SEED_CONTRACT)).toThrow(
      "d.bin: 10 bytes; expected 16384: 4096 (the model's grid 16×16×16 × 1 channel(s)) float32 values",
    );
  });
});
