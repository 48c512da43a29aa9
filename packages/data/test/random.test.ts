import { describe, expect, it } from 'vitest';
import { rotationMatrix } from '../src/augment.js';
import { Rng } from '../src/random.js';

describe('Rng', () => {
  it('is determined by its keys', () => {
    const a = new Rng(1, 2, 3);
    const b = new Rng(1, 2, 3);
    const c = new Rng(1, 2, 4);
    const seqA = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('draws uniforms in range and Box–Muller normals with the asked mean and deviation', () => {
    const rng = new Rng(42);
    const n = 200_000;
    let sum = 0;
    let squares = 0;
    let [uMin, uMax, vMin, vMax] = [1, 0, 3, -2];
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      const v = rng.uniform32(-2, 3);
      [uMin, uMax, vMin, vMax] = [Math.min(uMin, u), Math.max(uMax, u), Math.min(vMin, v), Math.max(vMax, v)];
      const g = rng.normal(5, 90);
      sum += g;
      squares += (g - 5) ** 2;
    }
    expect(uMin).toBeGreaterThanOrEqual(0);
    expect(uMax).toBeLessThan(1);
    expect(uMax - uMin).toBeGreaterThan(0.999);
    expect(vMin).toBeGreaterThanOrEqual(-2);
    expect(vMax).toBeLessThan(3);
    // Standard errors: 90/√n ≈ 0.2 for the mean, ≈ 0.14 for the deviation; bounds are 5 of them.
    expect(Math.abs(sum / n - 5)).toBeLessThan(1);
    expect(Math.abs(Math.sqrt(squares / n) - 90)).toBeLessThan(0.75);
  });
});

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
