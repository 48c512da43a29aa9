// The demo's vector-file reader: JSON arrays and little-endian float32 .bin files of 4096 values.
import { describe, expect, it } from 'vitest';
import { parseVectorFile } from '../demo/vector-file.js';

const encode = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

describe('parseVectorFile', () => {
  it('reads a JSON array of 4096 numbers', () => {
    const values = Array.from({ length: 4096 }, (_, i) => (i % 7) / 6);
    expect(parseVectorFile('v.json', encode(JSON.stringify(values)))).toEqual(values);
  });

  it('reads 4096 little-endian float32 values from a .bin file', () => {
    const bytes = new ArrayBuffer(4096 * 4);
    new DataView(bytes).setFloat32(4 * 5, 0.25, true);
    const values = parseVectorFile('v.bin', bytes);
    expect(values).toBeInstanceOf(Float32Array);
    expect(values[5]).toBe(0.25);
  });

  it('names the file and what was expected', () => {
    expect(() => parseVectorFile('a.json', encode('[1, 2]'))).toThrow(
      'a.json: got an array of 2; expected a JSON array of 4096 numbers',
    );
    expect(() => parseVectorFile('b.json', encode('{'))).toThrow(/^b.json: not valid JSON/);
    expect(() =>
      parseVectorFile('c.json', encode(JSON.stringify(['x', ...new Array(4095).fill(0)]))),
    ).toThrow('c.json: element 0 is not a number');
    expect(() => parseVectorFile('d.bin', new ArrayBuffer(10))).toThrow(
      'd.bin: 10 bytes; expected 16384 (4096 float32 values)',
    );
  });
});
