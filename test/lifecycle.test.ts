// infer-node and infer-web share one classifier lifecycle (@conv3d/core): on the same model and the same inputs they
// agree on the contract, the answers' order under concurrency, every error text and dispose.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Classifier, SEED_CONTRACT } from '@conv3d/core';
import { load as loadNode } from '@conv3d/infer-node';
import { load as loadWeb } from '@conv3d/infer-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODEL = fileURLToPath(new URL('../packages/infer-web/fixtures/test-model.onnx', import.meta.url));
const bytes = new Uint8Array(readFileSync(MODEL));
const V = SEED_CONTRACT.rawLength;

const runtimes: Record<string, () => Promise<Classifier>> = {
  'infer-node': () => loadNode(bytes, { device: 'cpu' }),
  'infer-web (wasm, Node)': () => loadWeb(bytes, { device: 'wasm' }),
};

const bad: [string, unknown][] = [
  ['NaN', Float32Array.from({ length: 2 * V }, (_, i) => (i === V + 3 ? Number.NaN : 0.5))],
  ['short', new Float64Array(V - 1)],
  ['Int32Array', new Int32Array(V)],
  ['NCDHW tensor', { data: new Float32Array(3 * V), dims: [1, 3, 16, 16, 16] }],
  ['sample of wrong length', [new Float64Array(V), [1, 2]]],
];

async function messageOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (e: Error) => `${e.name}: ${e.message}`,
  );
}

describe('one lifecycle for both runtimes', () => {
  const classifiers: Record<string, Classifier> = {};
  beforeAll(async () => {
    for (const [name, open] of Object.entries(runtimes)) classifiers[name] = await open();
  });
  afterAll(async () => {
    for (const c of Object.values(classifiers)) await c.dispose();
  });

  it('read the same contract', () => {
    const [a, b] = Object.values(classifiers);
    expect(a?.contract).toEqual(b?.contract);
  });

  it('answer concurrent calls in order, each with its own sample, alike', async () => {
    const samples = Array.from({ length: 12 }, (_, s) =>
      Float32Array.from({ length: V }, (_, i) => ((i * (s + 3)) % 17) / 16),
    );
    const answers: number[][] = [];
    for (const c of Object.values(classifiers)) {
      const results = await Promise.all(samples.map((x) => c.predict(x)));
      answers.push(results.map(([p]) => p?.index ?? -1));
      const batched = (await c.predict(samples)).map((p) => p.index);
      expect(batched).toEqual(answers.at(-1));
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it.each(bad)('reject %s input with the same one-line error', async (_name, input) => {
    const messages = await Promise.all(
      Object.values(classifiers).map((c) => messageOf(c.predict(input as Float32Array))),
    );
    expect(messages[0]).toMatch(/^InputError: /);
    expect(messages[1]).toBe(messages[0]);
  });

  it('fail to load foreign bytes, and predict after dispose, with the same texts', async () => {
    const foreign = new TextEncoder().encode('not a model');
    const loadErrors = await Promise.all([
      messageOf(loadNode(foreign, { device: 'cpu' })),
      messageOf(loadWeb(foreign, { device: 'wasm' })),
    ]);
    expect(loadErrors[0]).toMatch(/^ContractError: model bytes: not an ONNX model/);
    expect(loadErrors[1]).toBe(loadErrors[0]);
    const disposed: string[] = [];
    for (const open of Object.values(runtimes)) {
      const c = await open();
      const inFlight = c.predict(new Float32Array(V).fill(0.25));
      await c.dispose();
      expect((await inFlight).length).toBe(1);
      disposed.push(await messageOf(c.predict(new Float32Array(V))));
    }
    expect(disposed).toEqual([
      'Error: predict: the classifier has been disposed',
      'Error: predict: the classifier has been disposed',
    ]);
  });
});
