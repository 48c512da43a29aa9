// float16 decoding (h5wasm can't read half floats: we decode the raw bits) against numpy, for every bit pattern.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeInto } from '../src/voxel-dtype.js';

describe('float16 → float32', () => {
  it('all 65 536 bit patterns decode to numpy float16.astype(float32) (NaN as NaN)', () => {
    const r = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import numpy as np, sys; sys.stdout.buffer.write(np.arange(65536, dtype="<u2").view("<f2").astype("<f4").tobytes())',
      ],
      { maxBuffer: 1 << 20 },
    );
    expect(r.status).toBe(0);
    const reference = new Float32Array(new Uint8Array(r.stdout).buffer);
    expect(reference.length).toBe(65536);
    const bits = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const ours = new Float32Array(65536);
    decodeInto('float16', bits.buffer, 0, ours);
    let mismatches = 0;
    for (let i = 0; i < 65536; i++) {
      const a = ours[i] as number;
      const b = reference[i] as number;
      if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) mismatches++;
    }
    expect(mismatches).toBe(0);
    // spot checks: smallest subnormal, -0, largest finite, ±Infinity
    expect([ours[1], ours[0x8000], ours[0x7bff], ours[0x7c00], ours[0xfc00]]).toEqual([
      2 ** -24,
      -0,
      65504,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
  });
});
