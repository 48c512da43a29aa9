/**
 * Large Float32Arrays handed to the fast CPU backend's tensors and taken back when the tensor
 * holding one is disposed, so that a training step reuses the previous step's activation-sized
 * buffers instead of mapping, faulting in and zeroing fresh ones (and making V8 collect the old
 * ones: ~100 MB of ArrayBuffers per seed step triggered about two mark-compact GCs per step).
 *
 * An array is only recycled when nothing else can still see it: it was handed out by take() or
 * zeros(), exactly one tensor ever held it, as a whole (no subarray view of it became a tensor),
 * and its values never left the backend (readSync/read/dataSync). Everything else is left to the GC.
 */
export class BufferPool {
  /** Free arrays by length. */
  private readonly free = new Map<number, Float32Array[]>();
  private freeBytes = 0;
  /** Buffers of arrays handed out: how many tensors registered them (0 until the first). */
  private readonly holders = new WeakMap<ArrayBufferLike, number>();
  private recycledCount = 0;

  /**
   * @param minLength arrays shorter than this are plain allocations (the GC handles small ones well)
   * @param maxFreeBytes free arrays kept beyond this are dropped (left to the GC)
   */
  constructor(
    readonly minLength = 1 << 14,
    readonly maxFreeBytes = 768 * 2 ** 20,
  ) {}

  /** An array of `length` values whose contents are unspecified: for outputs a kernel writes in full. */
  take(length: number): Float32Array {
    if (length < this.minLength) return new Float32Array(length);
    const reused = this.free.get(length)?.pop();
    if (reused === undefined) {
      const fresh = new Float32Array(length);
      this.holders.set(fresh.buffer, 0);
      return fresh;
    }
    this.freeBytes -= reused.byteLength;
    this.recycledCount += 1;
    this.holders.set(reused.buffer, 0);
    return reused;
  }

  /** An array of `length` zeros. */
  zeros(length: number): Float32Array {
    const before = this.recycledCount;
    const out = this.take(length);
    // Fresh arrays are zeroed by the allocator already.
    if (this.recycledCount !== before) out.fill(0);
    return out;
  }

  /** Takes back an array from take() that no tensor ever held (a kernel's scratch, e.g. an argmax). */
  giveBack(values: Float32Array): void {
    if (this.holders.get(values.buffer) !== 0) return;
    this.holders.set(values.buffer, 1);
    this.release(values);
  }

  /** A tensor now holds `values`. */
  adopt(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const count = this.holders.get(values.buffer);
    if (count === undefined) return;
    const whole =
      values instanceof Float32Array &&
      values.byteOffset === 0 &&
      values.byteLength === values.buffer.byteLength;
    if (count === 0 && whole) this.holders.set(values.buffer, 1);
    else this.holders.delete(values.buffer);
  }

  /** `values` left the backend (a caller may keep it): never recycle its buffer. */
  escape(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.holders.delete(values.buffer);
  }

  /** The tensor holding `values` was disposed. */
  release(values: unknown): void {
    if (!(values instanceof Float32Array) || this.holders.get(values.buffer) !== 1) return;
    this.holders.delete(values.buffer);
    if (this.freeBytes + values.byteLength > this.maxFreeBytes) return;
    const list = this.free.get(values.length);
    if (list === undefined) this.free.set(values.length, [values]);
    else list.push(values);
    this.freeBytes += values.byteLength;
  }

  /** Bytes held in free arrays, and how many arrays take() has reused so far. */
  stats(): { freeBytes: number; recycled: number } {
    return { freeBytes: this.freeBytes, recycled: this.recycledCount };
  }

  /** How many free arrays of `length` values are waiting for reuse. */
  freeOf(length: number): number {
    return this.free.get(length)?.length ?? 0;
  }

  /** Drops every free array (left to the GC). */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
  }
}
