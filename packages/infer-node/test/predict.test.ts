import { preprocessBatch, SEED_CONTRACT } from '@conv3d/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, load, type NodeClassifier, type Prediction } from '../src/index.js';
import { fixture, maxAbsDiff, tinyExpected, v2Expected } from './fixtures.js';

// ONNX Runtime float32 against the float64 numpy reference: ~1e-7 expected; 1e-5 leaves room, not slack for bugs.
const TOLERANCE = 1e-5;
const expected = tinyExpected();
const count = expected.raw.length;

function concat(rows: Float64Array[]): Float64Array {
  const out = new Float64Array(rows.length * 4096);
  rows.forEach((row, i) => {
    out.set(row, i * 4096);
  });
  return out;
}

function expectMatches(predictions: Prediction[], rows: readonly number[]): void {
  expect(predictions).toHaveLength(rows.length);
  predictions.forEach((p, i) => {
    const s = rows[i] as number;
    expect(maxAbsDiff(p.probabilities, expected.probabilities[s] as number[])).toBeLessThanOrEqual(TOLERANCE);
    expect(p.index).toBe(expected.argmax[s]);
    expect(p.label).toBe(String(expected.argmax[s]));
    expect(p.probability).toBe(p.probabilities[p.index]);
  });
}

describe('predict on tiny.onnx against the numpy reference', () => {
  let classifier: NodeClassifier;
  const all = [...Array(count).keys()];
  beforeAll(async () => {
    classifier = await load(fixture('tiny.onnx'), { device: 'cpu' });
  });
  afterAll(() => classifier.dispose());

  it('reports the contract and provider', () => {
    expect(classifier.provider).toBe('cpu');
    expect(classifier.contract.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('classifies a flat raw batch (Float64Array, Float32Array, number[])', async () => {
    const flat = concat(expected.raw);
    expectMatches(await classifier.predict(flat), all);
    expectMatches(await classifier.predict(Float32Array.from(flat)), all);
    expectMatches(await classifier.predict(Array.from(flat)), all);
  });

  it('classifies one vector and an array of vectors', async () => {
    expectMatches(await classifier.predict(expected.raw[3] as Float64Array), [3]);
    expectMatches(
      await classifier.predict([expected.raw[5] as Float64Array, Array.from(expected.raw[1] ?? [])]),
      [5, 1],
    );
  });

  it('classifies an already-preprocessed NDHWC tensor', async () => {
    const data = preprocessBatch(SEED_CONTRACT, concat(expected.raw));
    expectMatches(await classifier.predict({ data, dims: [count, 16, 16, 16, 3] }), all);
  });

  it('rejects bad input before onnxruntime sees it', async () => {
    const nan = concat(expected.raw.slice(0, 2));
    nan[4096 + 100] = Number.NaN;
    await expect(classifier.predict(nan)).rejects.toThrow(
      new InputError('input sample 1 value 100 is NaN; expected finite values'),
    );
    await expect(classifier.predict(new Float64Array(4000))).rejects.toThrow(/input has 4000 values/);
    await expect(classifier.predict(new Uint8Array(4096) as unknown as Float32Array)).rejects.toThrow(
      /Uint8Array; expected raw vectors/,
    );
    await expect(
      classifier.predict({ data: new Float32Array(12288), dims: [1, 3, 16, 16, 16] }),
    ).rejects.toThrow(/NCDHW/);
  });

  it('answers many concurrent calls each with its own result', async () => {
    const order = Array.from({ length: 200 }, (_, i) => (i * 7) % count);
    const results = await Promise.all(order.map((s) => classifier.predict(expected.raw[s] as Float64Array)));
    results.forEach((predictions, i) => {
      expectMatches(predictions, [order[i] as number]);
    });
    const batches = await Promise.all(
      [0, 1, 2, 3].map((k) => classifier.predict(expected.raw.slice(k, k + 4))),
    );
    batches.forEach((predictions, k) => {
      expectMatches(predictions, [k, k + 1, k + 2, k + 3]);
    });
  });

  it('keeps memory flat over 10 000 calls', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run with --expose-gc (vitest.config.ts sets it)');
    const sample = expected.raw[2] as Float64Array;
    const run = async (calls: number) => {
      for (let i = 0; i < calls; i++) await classifier.predict(sample);
    };
    // ArrayBuffer backing stores are freed after a collection, off the main thread: collect and wait, repeatedly.
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await run(1000);
    await settle();
    const before = process.memoryUsage();
    await run(10_000);
    await settle();
    const after = process.memoryUsage();
    // Each call allocates a 48 KB input tensor; leaking it would add ~480 MB, a 1 KB leak per call 10 MB.
    // Measured here: < 0.3 MB heap, 0 array buffers, < 3 MB RSS.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(4 * 2 ** 20);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(4 * 2 ** 20);
    expect(after.external - before.external).toBeLessThan(4 * 2 ** 20);
    expect(after.rss - before.rss).toBeLessThan(32 * 2 ** 20);
  });
});

describe('dispose', () => {
  it('lets predictions in flight finish, then rejects new ones', async () => {
    const classifier = await load(fixture('tiny.onnx'), { device: 'cpu' });
    const inFlight = classifier.predict(expected.raw[0] as Float64Array);
    await classifier.dispose();
    expectMatches(await inFlight, [0]);
    await expect(classifier.predict(expected.raw[0] as Float64Array)).rejects.toThrow(/disposed/);
    await classifier.dispose();
  });
});

describe('contract v2 models on a non-seed grid (2 × 4 × 8, 2 channels, named labels)', () => {
  const v2 = v2Expected();
  const flat = new Float64Array(v2.raw.length * 128);
  v2.raw.forEach((row, i) => {
    flat.set(row, i * 128);
  });

  it.each(['minmax.onnx', 'raw-input.onnx'])('%s matches the float64 numpy reference', async (name) => {
    const classifier = await load(fixture(name), { device: 'cpu' });
    try {
      expect(classifier.contract).toMatchObject({ grid: [2, 4, 8], rawChannels: 2, rawLength: 128 });
      expect(classifier.contract.labels).toEqual(v2.labels);
      for (const input of [flat, Float32Array.from(flat), v2.raw]) {
        const predictions = await classifier.predict(input);
        predictions.forEach((p, s) => {
          expect(maxAbsDiff(p.probabilities, v2.probabilities[s] as number[])).toBeLessThanOrEqual(TOLERANCE);
          expect(p.index).toBe(v2.argmax[s]);
          expect(p.label).toBe(v2.labels[v2.argmax[s] as number]);
        });
      }
      await expect(classifier.predict(new Float32Array(4095))).rejects.toThrow(
        'input has 4095 values; expected raw vectors of 128 values',
      );
      const nan = Float32Array.from(flat);
      nan[128 + 5] = Number.NaN;
      await expect(classifier.predict(nan)).rejects.toThrow(
        'input sample 1 value 5 is NaN; expected finite values',
      );
    } finally {
      await classifier.dispose();
    }
  });
});
