// The library itself (onnxruntime-web's wasm provider) run in Node against onnxruntime-node, and its errors.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, load, type WebClassifier } from '../src/index.js';
import { argmax, maxAbsDiff, referenceProbabilities, syntheticVectors, TEST_MODEL } from './helpers.js';

const modelBytes = new Uint8Array(readFileSync(TEST_MODEL));

describe('load + predict in Node (wasm)', () => {
  let classifier: WebClassifier;
  beforeAll(async () => {
    classifier = await load(modelBytes, { device: 'auto' });
  });
  afterAll(() => classifier.dispose());

  it('reports wasm when there is no WebGPU and reads the contract', () => {
    expect(classifier.provider).toBe('wasm');
    expect(classifier.contract.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('equals onnxruntime-node within 1e-5 with the same argmax, batched and one by one', async () => {
    const vectors = syntheticVectors(16, 1);
    const expected = await referenceProbabilities(vectors);
    const batched = (await classifier.predict(vectors)).map((p) => Array.from(p.probabilities));
    const single = await Promise.all(vectors.map((v) => classifier.predict(Float32Array.from(v))));
    const oneByOne = single.map(([p]) => Array.from(p?.probabilities ?? []));
    expect(maxAbsDiff(batched, expected)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(oneByOne, expected)).toBeLessThanOrEqual(1e-5);
    expect(batched.map(argmax)).toEqual(expected.map(argmax));
    expect(new Set(expected.map(argmax)).size).toBeGreaterThan(1);
  });

  it('rejects bad input with a one-line InputError', async () => {
    const nan = new Float32Array(4096).fill(0.5);
    nan[17] = Number.NaN;
    await expect(classifier.predict(nan)).rejects.toThrow(InputError);
    await expect(classifier.predict(nan)).rejects.toThrow(/sample 0 value 17 is NaN/);
    await expect(classifier.predict(new Float32Array(100))).rejects.toThrow(
      /100 values; expected raw vectors/,
    );
  });
});

describe('load errors', () => {
  it('names a model that is not ONNX', async () => {
    await expect(load(new Uint8Array([1, 2, 3, 4]), { device: 'wasm' })).rejects.toThrow(/not an ONNX model/);
  });

  it('fails when WebGPU is forced and absent, instead of running elsewhere', async () => {
    await expect(load(modelBytes, { device: 'webgpu' })).rejects.toThrow(
      /device 'webgpu' requested but this browser has no WebGPU/,
    );
  });

  it('rejects an unknown device', async () => {
    await expect(load(modelBytes, { device: 'cuda' as 'wasm' })).rejects.toThrow(
      "load: device 'cuda' is not one of auto, webgpu, wasm",
    );
  });

  it('rejects predict after dispose', async () => {
    const classifier = await load(modelBytes, { device: 'wasm' });
    await classifier.dispose();
    await expect(classifier.predict(syntheticVectors(1, 2)[0] as number[])).rejects.toThrow(/disposed/);
  });
});
