// The cross-runtime parity suite: one trained model, ≥ 200 real test samples, every runtime, the same answers.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareAll, type PairStats, parityMarkdown, type RuntimeResult } from './parity/compare.js';
import { type ParityModel, paritySamples, prepareParityModel } from './parity/model.js';
import { type ParityInputs, RUNTIMES, runRuntime } from './parity/runtimes.js';

const ARTIFACTS = join(import.meta.dirname, 'test-artifacts');
const SAMPLES = 256;
const inCi = process.env.CI === 'true';
/** Runtimes that may be absent locally but must run in CI (CUDA may be absent anywhere). */
const REQUIRED_IN_CI = new Set(['infer-web wasm (Chromium)', 'infer-web webgpu (Chromium)']);

let model: ParityModel;
let inputs: ParityInputs;
const results: RuntimeResult[] = [];
let pairs: PairStats[] = [];

beforeAll(async () => {
  model = await prepareParityModel(join(ARTIFACTS, 'parity-model'));
  const { vectors } = await paritySamples(model.dataPath, SAMPLES);
  inputs = { vectors, runDir: model.runDir, onnxPath: model.onnxPath, onnxBytes: model.onnxBytes };
}, 900_000);

afterAll(async () => {
  if (results.length === 0) return;
  pairs = compareAll(results);
  const markdown = parityMarkdown(pairs, results);
  const header = `# Parity: ${SAMPLES} real 3D MNIST test samples, model test accuracy ${(model.testAccuracy * 100).toFixed(1)} %\n\n`;
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, 'parity.md'), header + markdown);
  await writeFile(
    join(ARTIFACTS, 'parity.json'),
    `${JSON.stringify({ samples: SAMPLES, testAccuracy: model.testAccuracy, runtimes: results.map((r) => ({ runtime: r.runtime, unavailable: r.unavailable })), pairs }, null, 2)}\n`,
  );
  console.log(`\n${header}${markdown}`);
});

describe('parity across runtimes', () => {
  for (const runtime of RUNTIMES) {
    it(`runs ${runtime.name}`, async () => {
      const result = await runRuntime(runtime, inputs);
      results.push(result);
      if (result.unavailable !== null) {
        if (inCi && REQUIRED_IN_CI.has(runtime.name)) {
          throw new Error(`${runtime.name} is required under CI=true: ${result.unavailable}`);
        }
        console.warn(`${runtime.name}: not available (${result.unavailable})`);
        return;
      }
      expect(result.probabilities).toHaveLength(SAMPLES);
      for (const row of result.probabilities) {
        expect(row).toHaveLength(10);
        const sum = row.reduce((s, v) => s + v, 0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
      }
    }, 600_000);
  }

  it('every pair of runtimes agrees within tolerance with the same argmax on every sample', () => {
    const ran = results.filter((r) => r.unavailable === null);
    expect(ran.map((r) => r.runtime)).toContain('tfjs cpu (reference)');
    expect(ran.length).toBeGreaterThanOrEqual(inCi ? 5 : 3);
    const failed = compareAll(results).filter((p) => p.status === 'FAIL');
    expect(failed, parityMarkdown(failed, [])).toEqual([]);
  });
});
