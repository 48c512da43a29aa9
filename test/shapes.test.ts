// Issue 12's proof: the shapes fixture (12×10×8, 1 channel, 4 named classes, (N, D, H, W) float32, unlike 3D MNIST
// in everything) goes through inspect → train (seeded, 8 epochs) → export → conv3d-predict and every runtime of the
// parity suite, within its tolerances against stock tfjs cpu.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractFromMetadata, readOnnxMetadata } from '@conv3d/core';
import { openDataset } from '@conv3d/data';
import { convertModel } from '@conv3d/export-onnx';
import { train } from '@conv3d/train';
import { BrowserUnavailableError, startBrowserHarness } from '@conv3d/web-demo/harness';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPredict } from '../packages/infer-node/src/predict-command.js';
import { compareAll, parityMarkdown, type RuntimeResult } from './parity/compare.js';
import { type ParityInputs, RUNTIMES, ranHere, runRuntime } from './parity/runtimes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHAPES = join(ROOT, 'packages/data/fixtures/shapes/shapes-12x10x8.h5');
const CONFIG = join(ROOT, 'packages/train/configs/shapes-small.json');
const DIR = join(import.meta.dirname, 'test-artifacts', 'shapes');
const LABELS = ['sphere', 'cube', 'torus', 'rod'];
const inCi = process.env.CI === 'true';

let inputs: ParityInputs;
let testAccuracy = 0;
let testLabels: Int32Array;
const results: RuntimeResult[] = [];

beforeAll(async () => {
  await mkdir(DIR, { recursive: true });
  const runDir = join(DIR, 'run');
  const result = await train({
    config: CONFIG,
    data: SHAPES,
    backend: 'fast-cpu',
    outDir: runDir,
    progress: false,
    log: () => {},
  });
  testAccuracy = result.test.accuracy;
  const { bytes } = convertModel(result.model, { testAccuracy });
  result.dispose();
  const onnxPath = join(DIR, 'shapes.onnx');
  await writeFile(onnxPath, bytes);
  const ds = await openDataset(SHAPES);
  try {
    const { x, y, count } = ds.read('test');
    testLabels = y;
    const vectors = Array.from({ length: count }, (_, i) =>
      Float64Array.from(x.subarray(i * 960, (i + 1) * 960)),
    );
    inputs = { vectors, runDir, onnxPath, onnxBytes: bytes };
  } finally {
    ds.close();
  }
}, 900_000);

describe('the shapes fixture end to end', () => {
  it('conv3d-dataset inspect reads its grid, channel and label names', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'packages/data/dist/cli.js'), 'inspect', SHAPES], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('grid 12×10×8 (D×H×W), 1 channel, voxel order dhwc: 960 values per row');
    expect(r.stdout).toContain('labels (4): sphere, cube, torus, rod');
  });

  it('learns its task and exports its own contract', () => {
    // Chance is 25 %: a model that did not learn stays far below this floor.
    expect(testAccuracy).toBeGreaterThanOrEqual(0.75);
    const contract = contractFromMetadata(
      readOnnxMetadata(inputs.onnxBytes, inputs.onnxPath),
      inputs.onnxPath,
    );
    expect(contract.labels).toEqual(LABELS);
    expect(contract.grid).toEqual([12, 10, 8]);
    expect(contract.rawChannels).toBe(1);
    expect(contract.preprocessing).toBe('minmax');
    expect(contract.inputShape).toEqual([12, 10, 8, 1]);
    expect(contract.testAccuracy).toBe(testAccuracy);
  });

  it("conv3d-predict prints the label names and the training run's test accuracy", async () => {
    let out = '';
    const code = await runPredict([inputs.onnxPath, SHAPES, '--device', 'cpu'], {
      log: (l) => {
        out += `${l}\n`;
      },
      error: (l) => {
        out += `ERR ${l}\n`;
      },
    });
    expect(code, out).toBe(0);
    expect(out).toMatch(/^labels \(4\): sphere, cube, torus, rod\n/);
    expect(out).toMatch(/\ntest\[0\] true (sphere|cube|torus|rod) predicted (sphere|cube|torus|rod) p=/);
    expect(out).toMatch(/\nper class: sphere \d\.\d{4} \(\d+\/50\), cube .*, torus .*, rod .*\n/);
    const correct = Math.round(testAccuracy * 200);
    expect(out).toContain(`accuracy ${(correct / 200).toFixed(4)} (${correct}/200) on test; provider cpu`);
  });

  for (const runtime of RUNTIMES) {
    it(`runs ${runtime.name} on all 200 test samples`, async () => {
      const result = await runRuntime(runtime, inputs);
      results.push(result);
      if (!ranHere(result)) return;
      expect(result.probabilities).toHaveLength(200);
      let correct = 0;
      result.probabilities.forEach((row, i) => {
        expect(row).toHaveLength(4);
        let best = 0;
        for (let k = 1; k < 4; k++) if ((row[k] as number) > (row[best] as number)) best = k;
        if (best === testLabels[i]) correct++;
      });
      expect(correct / 200).toBeCloseTo(testAccuracy, 10);
    }, 600_000);
  }

  it("the demo page draws the model's grid with 4 bars named by label and classifies a user's 960-value file", async () => {
    let harness: Awaited<ReturnType<typeof startBrowserHarness>>;
    try {
      harness = await startBrowserHarness({ modelPath: inputs.onnxPath, webgpu: false });
    } catch (error) {
      if (error instanceof BrowserUnavailableError && !inCi) return console.warn(error.message);
      throw error;
    }
    try {
      const page = await harness.browser.newPage({ viewport: { width: 1200, height: 720 } });
      await page.goto(`${harness.url}index.html?device=wasm`);
      await page.waitForSelector('body[data-state="ready"], #samples p', { timeout: 60_000 });
      // The bundled samples are 16³ rows: they do not fit this model, and the page says so.
      expect(await page.textContent('#samples')).toContain('this model takes 12×10×8 grids');
      const row = inputs.vectors[0] as Float64Array;
      const bin = Buffer.from(Float32Array.from(row).buffer);
      await page.setInputFiles('#file', {
        name: 'row0.bin',
        mimeType: 'application/octet-stream',
        buffer: bin,
      });
      await page.locator('#sample-caption', { hasText: 'File row0.bin' }).waitFor();
      await page.waitForSelector('body[data-state="ready"]');
      const names = await page.locator('#bars .bar span:first-child').allTextContents();
      expect(names).toEqual(LABELS);
      const probabilities = results.find((r) => r.runtime === 'tfjs cpu (reference)')?.probabilities[0];
      const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
      expect(await page.textContent('#prediction')).toBe(LABELS[best]);
      await page.screenshot({ path: join(DIR, 'demo-shapes.png') });
      await page.close();
    } finally {
      await harness.close();
    }
  }, 300_000);

  it('every pair of runtimes agrees within the parity tolerances (1e-5 CPU/wasm, 1e-4 WebGPU)', async () => {
    const ran = results.filter((r) => r.unavailable === null);
    expect(ran.map((r) => r.runtime)).toContain('tfjs cpu (reference)');
    expect(ran.length).toBeGreaterThanOrEqual(inCi ? 5 : 3);
    const pairs = compareAll(results);
    const header = `# Parity: the shapes fixture (12×10×8, 4 classes), 200 test samples, test accuracy ${(testAccuracy * 100).toFixed(1)} %\n\n`;
    await writeFile(join(DIR, 'parity.md'), header + parityMarkdown(pairs, results));
    console.log(`\n${header}${parityMarkdown(pairs, results)}`);
    const failed = pairs.filter((p) => p.status === 'FAIL');
    expect(failed, parityMarkdown(failed, [])).toEqual([]);
  });
});
