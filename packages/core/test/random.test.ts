import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32, permutation, Rng } from '../src/index.js';

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

  it('draws integers over the whole closed range, picks and floats', () => {
    const rng = new Rng(7);
    const seen = new Set(Array.from({ length: 1000 }, () => rng.int(3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(['a', 'b']).toContain(rng.pick(['a', 'b']));
    const f = rng.floats(1000, -1, 1);
    expect(f).toBeInstanceOf(Float32Array);
    expect(Math.min(...f)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...f)).toBeLessThan(1);
  });
});

describe('mulberry32, deriveSeed and permutation', () => {
  it('reproduce the published mulberry32 stream', () => {
    // mulberry32(0)'s first outputs from the reference C implementation (Tommy Ettinger's), compiled with gcc.
    const next = mulberry32(0);
    expect(Array.from({ length: 3 }, () => Math.round(next() * 4294967296))).toEqual([
      1144304738, 1416247, 958946056,
    ]);
  });

  it('permutation is a seeded shuffle of 0..n-1', () => {
    const p = permutation(100, deriveSeed(1337, 0));
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
    expect(permutation(100, deriveSeed(1337, 0))).toEqual(p);
    expect(permutation(100, deriveSeed(1337, 1))).not.toEqual(p);
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(2, 1));
  });
});
