import { describe, expect, it } from 'vitest';
import { rotationMatrix } from '../src/augment.js';

describe('rotationMatrix', () => {
  it('is orthonormal and matches Rz·Ry·Rx of data_augment.py for 90° turns', () => {
    const m = rotationMatrix(0, 0, 90); // Rz(90) = [[0, 1, 0], [-1, 0, 0], [0, 0, 1]]
    expect(m.map((v) => Math.round(v))).toEqual([0, 1, 0, -1, 0, 0, 0, 0, 1]);
    const r = rotationMatrix(33, -71, 140);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let k = 0; k < 3; k++) dot += (r[i * 3 + k] as number) * (r[j * 3 + k] as number);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 14);
      }
    }
  });
});
