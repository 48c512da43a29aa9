// A small seeded PRNG (xoshiro128**, seeded through splitmix32) and Box–Muller normals: the rotated copies are
// reproducible from (seed, split, digit) alone, whatever order or subset of rows is built.

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream determined by the given integers (e.g. seed, split id, digit index). */
  constructor(...keys: number[]) {
    let mix = splitmix32(0x3d4d);
    for (const key of keys) mix = splitmix32(mix() ^ (key >>> 0));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next 32 random bits (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high), as numpy.random.uniform computes it. */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform in [low, high) from 32 random bits: fast enough for one draw per point and axis. */
  uniform32(low: number, high: number): number {
    return low + (high - low) * (this.nextUint32() / 4294967296);
  }

  /** Normal with the given mean and standard deviation (Box–Muller). */
  normal(mean: number, std: number): number {
    const u1 = 1 - this.next(); // (0, 1]: log stays finite
    const u2 = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
