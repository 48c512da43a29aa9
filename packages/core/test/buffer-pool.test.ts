import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/buffer-pool.js';

describe('BufferPool', () => {
  it('hands a returned buffer out again for the same length only', () => {
    const pool = new BufferPool();
    const a = pool.take(8);
    pool.give(a);
    expect(pool.take(4)).not.toBe(a);
    expect(pool.take(8)).toBe(a);
    expect(pool.take(8)).not.toBe(a);
  });

  it('keeps at most `keep` buffers, none above maxBytes, none after clear', () => {
    const pool = new BufferPool(2, 64);
    const [a, b, c] = [pool.take(4), pool.take(4), pool.take(4)];
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.take(4)).toBe(b);
    expect(pool.take(4)).toBe(c);
    expect(pool.take(4)).not.toBe(a);
    const big = pool.take(32);
    pool.give(big);
    expect(pool.take(32)).not.toBe(big);
    pool.give(a);
    pool.clear();
    expect(pool.take(4)).not.toBe(a);
  });
});
