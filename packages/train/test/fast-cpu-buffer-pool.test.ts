// The fast backend recycles the memory of disposed tensors (BufferPool, PooledCpuBackend). These
// tests pin down when that is safe (never for arrays a caller can still see) and that every kernel
// writing into recycled memory still computes what the stock cpu backend computes, by first
// filling the pool with garbage (the outputs of a NaN-input pass) and then comparing at 1e-5.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrainConfig, type TrainConfig } from '../src/config.js';
import { BufferPool } from '../src/fast-cpu/buffer-pool.js';
import { FAST_CPU_BACKEND, fastRelu, useFastCpuBackend } from '../src/fast-cpu/index.js';
import { PooledCpuBackend } from '../src/fast-cpu/pooled-backend.js';
import { buildModel } from '../src/model.js';
import { SEED_CONFIG_PATH } from '../src/train.js';
import { bestLikeConfig } from './best-like-config.js';
import { type Computed, expectClose, randomArray, runOn } from './fast-cpu-helpers.js';

const N = 1 << 15;

describe('BufferPool', () => {
  it('reuses an array once the one tensor holding it is released, and zeros() clears it', () => {
    const pool = new BufferPool(16, 1 << 20);
    const a = pool.take(N);
    pool.adopt(a);
    a.fill(7);
    pool.release(a);
    expect(pool.stats().freeBytes).toBe(N * 4);
    const b = pool.take(N);
    expect(b).toBe(a);
    expect(b[0]).toBe(7);
    pool.adopt(b);
    pool.release(b);
    const c = pool.zeros(N);
    expect(c).toBe(a);
    expect(c.every((v) => v === 0)).toBe(true);
    expect(pool.stats()).toEqual({ freeBytes: 0, recycled: 2 });
  });

  it('never recycles an array that escaped, was held twice, backs a view, or is not its own', () => {
    const pool = new BufferPool(16, 1 << 20);
    const escaped = pool.take(N);
    pool.adopt(escaped);
    pool.escape(escaped);
    pool.release(escaped);
    const shared = pool.take(N);
    pool.adopt(shared);
    pool.adopt(shared.subarray(4, 8));
    pool.release(shared);
    const foreign = new Float32Array(N);
    pool.adopt(foreign);
    pool.release(foreign);
    const neverHeld = pool.take(N);
    pool.release(neverHeld);
    expect(pool.stats().freeBytes).toBe(0);
    expect(pool.take(N)).not.toBe(escaped);
  });

  it('takes back scratch that no tensor held, but nothing a tensor holds or held', () => {
    const pool = new BufferPool(16, 1 << 20);
    const scratch = pool.take(N);
    pool.giveBack(scratch);
    expect(pool.stats().freeBytes).toBe(N * 4);
    const held = pool.take(N);
    expect(held).toBe(scratch);
    pool.adopt(held);
    pool.giveBack(held);
    expect(pool.stats().freeBytes).toBe(0);
  });

  it('leaves small arrays and arrays past its byte budget to the GC', () => {
    const pool = new BufferPool(1024, 3 * N * 4);
    const small = pool.take(100);
    pool.adopt(small);
    pool.release(small);
    const big = [pool.take(N), pool.take(N), pool.take(N), pool.take(N)];
    for (const a of big) pool.adopt(a);
    for (const a of big) pool.release(a);
    expect(pool.stats().freeBytes).toBe(3 * N * 4);
    pool.clear();
    expect(pool.stats().freeBytes).toBe(0);
  });
});

describe('the pooled fast backend', () => {
  let backend: PooledCpuBackend;
  beforeAll(async () => {
    await useFastCpuBackend();
    backend = tf.findBackend(FAST_CPU_BACKEND) as PooledCpuBackend;
    expect(backend).toBeInstanceOf(PooledCpuBackend);
  });

  it('recycles a disposed output for the next one of its size', async () => {
    await tf.setBackend(FAST_CPU_BACKEND);
    const x = tf.tensor1d(randomArray([N], 1));
    const before = backend.pool.stats().recycled;
    fastRelu(x).dispose();
    const y = fastRelu(x);
    expect(backend.pool.stats().recycled).toBe(before + 1);
    expectClose(
      [{ shape: y.shape, values: Float32Array.from(y.dataSync()) }],
      [{ shape: [N], values: x.relu().dataSync() as Float32Array }],
      ['relu'],
    );
    tf.dispose([x, y]);
  });

  it("returns a max-pool's kept argmax to the pool with its output", async () => {
    await tf.setBackend(FAST_CPU_BACKEND);
    const x = tf.tensor5d(randomArray([2, 16, 16, 16, 32], 5), [2, 16, 16, 16, 32]);
    const pooledSize = 2 * 8 * 8 * 8 * 32;
    backend.pool.clear();
    const dx = tf.grad((a: tf.Tensor) => tf.maxPool3d(a as tf.Tensor5D, 2, 2, 'valid').sum())(x);
    // Freed once the gradient is taken, all of the output's size: the output, its argmax scratch,
    // and the gradient arriving from sum() (2 without the argmax coming back).
    expect(backend.pool.freeOf(pooledSize)).toBe(3);
    tf.dispose([x, dx]);
  });

  it('never overwrites values a caller read out, nor a slice that shares the buffer', async () => {
    await tf.setBackend(FAST_CPU_BACKEND);
    const x = tf.tensor1d(randomArray([N], 2).map((v) => v + 2));
    const read = fastRelu(x);
    const values = read.dataSync();
    const kept = Float32Array.from(values);
    read.dispose();
    const source = fastRelu(x);
    const slice = tf.slice(source, [0], [N / 2]);
    source.dispose();
    const zeros = tf.zeros([N]);
    for (let i = 0; i < 3; i++) fastRelu(zeros).dispose();
    expect(values).toEqual(kept);
    expect(slice.dataSync()).toEqual(kept.subarray(0, N / 2));
    tf.dispose([x, slice, zeros]);
  });
});

/** Runs `compute` once on NaN inputs and disposes everything, so the pool holds garbage of the right sizes. */
function poison(compute: (input: Float32Array) => tf.Tensor[], size: number): void {
  tf.dispose(tf.tidy(() => compute(new Float32Array(size).fill(Number.NaN))));
}

async function poisonedThenClean(
  compute: (input: Float32Array) => tf.Tensor[],
  input: Float32Array,
): Promise<Computed[]> {
  await tf.setBackend(FAST_CPU_BACKEND);
  const pool = (tf.backend() as PooledCpuBackend).pool;
  poison(compute, input.length);
  expect(pool.stats().freeBytes).toBeGreaterThan(0);
  const before = pool.stats().recycled;
  const out = await runOn(FAST_CPU_BACKEND, () => compute(input));
  expect(pool.stats().recycled, 'the clean pass reused recycled memory').toBeGreaterThan(before);
  return out;
}

describe('kernels writing into recycled memory equal stock cpu', () => {
  beforeAll(async () => {
    await useFastCpuBackend();
  });

  /**
   * Loss and every trainable weight's gradient of `config` on one batch, on stock cpu and on the fast backend after
   * its pool was filled with garbage: the same weights (drawn once on cpu) and labels for both.
   */
  async function expectSameLossAndGradients(
    config: TrainConfig,
    shape: number[],
    classes: number[],
    x: Float32Array,
  ): Promise<void> {
    const batch = shape[0] as number;
    await tf.setBackend('cpu');
    const reference = buildModel(config);
    const weights = reference
      .getWeights()
      .map((w) => ({ shape: w.shape, values: Float32Array.from(w.dataSync()) }));
    reference.dispose();
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), 10).toFloat().dataSync());
    const compute = (input: Float32Array): tf.Tensor[] => {
      const model = buildModel(config);
      model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
      const xt = tf.tensor(input, shape);
      const yt = tf.tensor(labels, [batch, 10]);
      const { value, grads } = tf.variableGrads(
        () =>
          tf.metrics
            .categoricalCrossentropy(yt, model.apply(xt, { training: true }) as tf.Tensor)
            .mean() as tf.Scalar,
      );
      const out = [value, ...model.trainableWeights.map((w) => grads[w.originalName] as tf.Tensor)];
      model.dispose();
      return out;
    };
    const expected = await runOn('cpu', () => compute(x));
    const actual = await poisonedThenClean(compute, x);
    expectClose(
      actual,
      expected,
      expected.map((_, i) => (i === 0 ? 'loss' : `gradient ${i - 1}`)),
    );
  }

  it('the seed model: loss and every gradient (conv, bias, max-pool, dense, relu)', async () => {
    const shape = [4, 16, 16, 16, 3];
    const x = randomArray(shape, 3).map((v) => (v + 1) / 2);
    await expectSameLossAndGradients(loadTrainConfig(SEED_CONFIG_PATH), shape, [1, 4, 7, 9], x);
  });

  it('a best-like model: same-padded conv, BatchNormalization + ReLU, pools, GAP, Dropout, Dense', async () => {
    // Batch 12: the first block's activations (12 x 8³ x 4) are large enough to be pooled.
    const shape = [12, 16, 16, 16, 3];
    // Wide value range so that the batch statistics are not the trivial ones.
    const x = randomArray(shape, 4).map((v, i) => 2 * v + (i % 3));
    await expectSameLossAndGradients(bestLikeConfig(), shape, [0, 2, 3, 5, 8, 9, 1, 4, 6, 7, 0, 2], x);
  });
});
