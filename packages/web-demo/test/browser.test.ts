// The built bundle in Debian's Chromium (playwright-core): predictions on wasm and on WebGPU against
// onnxruntime-node, the provider actually used, and the demo page rendering a prediction.
// Locally a missing Chromium or WebGPU adapter skips with a message; under CI=true it fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import {
  argmax,
  IN_CI,
  maxAbsDiff,
  referenceProbabilities,
  syntheticVectors,
} from '../../infer-web/test/helpers.js';
import {
  type BrowserHarness,
  BrowserUnavailableError,
  startBrowserHarness,
} from '../src/node/browser-harness.js';
import { DEMO_DIR } from '../src/node/paths.js';
import { startStaticServer } from '../src/node/static-server.js';

const ARTIFACTS = new URL('../test-artifacts/', import.meta.url);
const vectors = syntheticVectors(12, 7);
// SwiftShader WebGPU compiles its shaders on the CPU: a first WebGPU run takes 10–50 s on a busy 2-core machine.
const SLOW = 150_000;
let expected: number[][];

beforeAll(async () => {
  expected = await referenceProbabilities(vectors);
  mkdirSync(ARTIFACTS, { recursive: true });
});

/** A 16³ (D, H, W) row as a .nii.gz nibabel writes, stored LPS (i and j reversed), so the page must reorient it. */
function niftiOf(row: ArrayLike<number> | undefined): Buffer {
  const script = `import sys, json, gzip, numpy as np, nibabel as nib
ijk = np.array(json.loads(sys.stdin.read()), dtype=np.float32).reshape(16, 16, 16).transpose(2, 1, 0)
aff = np.diag([-1.0, -1.0, 1.0, 1.0]); aff[:2, 3] = 15
sys.stdout.buffer.write(gzip.compress(nib.Nifti1Image(ijk[::-1, ::-1, :].copy(), aff).to_bytes()))`;
  return execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(Array.from(row ?? [])) });
}

/** Starts a harness, or returns why this machine can't (only outside CI: there it throws). */
async function startOrExplain(webgpu: boolean, threads = 1): Promise<BrowserHarness | string> {
  let harness: BrowserHarness;
  try {
    harness = await startBrowserHarness({ webgpu, threads });
  } catch (err) {
    if (err instanceof BrowserUnavailableError && !IN_CI) return skipNote(err.message);
    throw err;
  }
  if (!webgpu) return harness;
  const reason = await harness.webgpuUnavailableReason();
  if (reason === null) return harness;
  await harness.close();
  const message = `no WebGPU adapter in Chromium with --enable-unsafe-webgpu: ${reason}`;
  if (IN_CI) throw new Error(message);
  return skipNote(message);
}

/** The first `count` vectors on wasm in the page against onnxruntime-node: within 1e-5, same argmax. */
async function expectWasmMatchesNode(harness: BrowserHarness, count: number): Promise<void> {
  const result = await harness.classify(vectors.slice(0, count), 'wasm');
  expect(result.provider).toBe('wasm');
  const reference = expected.slice(0, count);
  expect(maxAbsDiff(result.probabilities, reference)).toBeLessThanOrEqual(1e-5);
  expect(result.probabilities.map(argmax)).toEqual(reference.map(argmax));
}

/**
 * Starts a harness before the enclosing suite and closes it after. The getter gives a test the harness, or skips
 * the test with the reason this machine can't run it.
 */
function harnessForSuite(webgpu: boolean, threads = 1): (ctx: TestContext) => BrowserHarness {
  let harness: BrowserHarness | string | undefined;
  beforeAll(async () => {
    harness = await startOrExplain(webgpu, threads);
  });
  afterAll(async () => {
    if (typeof harness === 'object') await harness.close();
  });
  return (ctx) => (typeof harness === 'object' ? harness : ctx.skip(harness ?? 'the harness did not start'));
}

function skipNote(message: string): string {
  console.warn(`[web-demo browser tests] skipped: ${message}`);
  return message;
}

/** Collects CSP violations and page errors (not console errors: onnxruntime logs warnings there). */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  return problems;
}

async function openDemo(harness: BrowserHarness, query: string): Promise<{ page: Page; problems: string[] }> {
  const page = await harness.browser.newPage({ viewport: { width: 1200, height: 720 } });
  const problems = watch(page);
  await page.goto(`${harness.url}index.html${query}`);
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
  return { page, problems };
}

/** The harness's own page: whether it is cross-origin isolated and how many workers onnxruntime started. */
async function harnessPageState(harness: BrowserHarness): Promise<{ isolated: boolean; workers: number }> {
  const page = harness.browser.contexts()[0]?.pages()[0];
  if (page === undefined) throw new Error('the harness page is gone');
  return {
    isolated: await page.evaluate(
      () => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    ),
    workers: page.workers().length,
  };
}

describe('Chromium without WebGPU', () => {
  const current = harnessForSuite(false);

  it(
    'runs the bundle on wasm: equal to onnxruntime-node within 1e-5, same argmax',
    async (ctx) => {
      const harness = current(ctx);
      await expectWasmMatchesNode(harness, vectors.length);
      // Not cross-origin isolated by default (src/node/static-server.ts says why); one thread starts no worker.
      expect(await harnessPageState(harness)).toEqual({ isolated: false, workers: 0 });
    },
    SLOW,
  );

  it(
    "reports wasm for 'auto' when there is no adapter, and refuses a forced 'webgpu'",
    async (ctx) => {
      const harness = current(ctx);
      expect(await harness.webgpuUnavailableReason()).not.toBeNull();
      const auto = await harness.classify(vectors.slice(0, 2), 'auto');
      expect(auto.provider).toBe('wasm');
      await expect(harness.classify(vectors.slice(0, 1), 'webgpu')).rejects.toThrow(
        /device 'webgpu' requested but navigator.gpu/,
      );
    },
    SLOW,
  );

  it(
    'renders a prediction on the demo page, says WebGPU is unavailable, violates no CSP',
    async (ctx) => {
      const harness = current(ctx);
      const { page, problems } = await openDemo(harness, '');
      expect(await page.getAttribute('body', 'data-state')).toBe('ready');
      expect(await page.textContent('#prediction')).toMatch(/^[0-9]$/);
      expect(await page.textContent('#provider')).toBe('wasm (CPU)');
      expect(await page.textContent('#latency')).toMatch(/ms/);
      expect(await page.locator('#bars .bar').count()).toBe(10);
      await page.waitForSelector('#notice', { state: 'visible' });
      expect(await page.textContent('#notice')).toMatch(/WebGPU is unavailable/);
      // Another sample: the prediction follows the click.
      await page.locator('#samples button').nth(3).click();
      await page.locator('#sample-caption', { hasText: 'true class 3' }).waitFor();
      await page.locator('#samples button[aria-pressed="true"]', { hasText: '3' }).waitFor();
      await page.screenshot({ path: new URL('demo-wasm.png', ARTIFACTS).pathname });
      // A user's vector file: classified like a sample; a malformed one gets a message naming it.
      const json = (v: unknown) => ({ mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(v)) });
      await page.setInputFiles('#file', { name: 'mine.json', ...json(vectors[0]) });
      await page.locator('#sample-caption', { hasText: 'File mine.json' }).waitFor();
      await expect.poll(() => page.textContent('#prediction')).toBe(String(argmax(expected[0] ?? [])));
      // A NIfTI scan (written by nibabel, gzipped, stored LPS): read, reoriented and classified in the page.
      await page.setInputFiles('#file', {
        name: 'scan.nii.gz',
        mimeType: 'application/gzip',
        buffer: niftiOf(vectors[0]),
      });
      await page.locator('#sample-caption', { hasText: 'File scan.nii.gz' }).waitFor();
      await expect.poll(() => page.textContent('#prediction')).toBe(String(argmax(expected[0] ?? [])));
      await page.setInputFiles('#file', { name: 'short.json', ...json([1, 2, 3]) });
      await page.waitForSelector('#error', { state: 'visible' });
      expect(await page.textContent('#error')).toBe(
        "short.json: got an array of 3; expected a JSON array of 4096 (the model's grid 16×16×16 × 1 channel(s)) numbers",
      );
      expect(problems).toEqual([]);
      await page.close();
    },
    SLOW,
  );

  it(
    'shows a clear message when the model cannot load',
    async (ctx) => {
      const harness = current(ctx);
      const broken = await startStaticServer({
        root: DEMO_DIR,
        files: { '/model.onnx': new URL('../package.json', import.meta.url).pathname },
      });
      try {
        const page = await harness.browser.newPage();
        await page.goto(`${broken.url}index.html?device=wasm`);
        await page.waitForSelector('body[data-state="error"]', { state: 'attached' });
        expect(await page.textContent('#error')).toMatch(
          /The model could not be loaded: .*not an ONNX model/,
        );
        await page.close();
      } finally {
        await broken.close();
      }
    },
    SLOW,
  );
});

describe('Chromium, cross-origin isolated, 2 wasm threads', () => {
  const current = harnessForSuite(false, 2);

  it(
    'runs onnxruntime on a worker thread too: equal to onnxruntime-node within 1e-5',
    async (ctx) => {
      const harness = current(ctx);
      await expectWasmMatchesNode(harness, vectors.length);
      const state = await harnessPageState(harness);
      expect(state.isolated).toBe(true);
      expect(state.workers).toBeGreaterThan(0);
    },
    SLOW,
  );
});

describe('Chromium with WebGPU (SwiftShader here)', () => {
  const current = harnessForSuite(true);

  it(
    "runs on WebGPU for 'auto': equal to onnxruntime-node within 1e-4, same argmax",
    async (ctx) => {
      const harness = current(ctx);
      const result = await harness.classify(vectors, 'auto');
      expect(result.provider).toBe('webgpu');
      expect(maxAbsDiff(result.probabilities, expected)).toBeLessThanOrEqual(1e-4);
      expect(result.probabilities.map(argmax)).toEqual(expected.map(argmax));
    },
    SLOW,
  );

  it(
    'can still be forced onto wasm in a WebGPU browser',
    async (ctx) => {
      const harness = current(ctx);
      await expectWasmMatchesNode(harness, 4);
    },
    SLOW,
  );

  it(
    'renders a WebGPU prediction on the demo page',
    async (ctx) => {
      const harness = current(ctx);
      const { page, problems } = await openDemo(harness, '?device=webgpu');
      expect(await page.getAttribute('body', 'data-state')).toBe('ready');
      expect(await page.textContent('#provider')).toBe('WebGPU');
      expect(await page.textContent('#prediction')).toMatch(/^[0-9]$/);
      expect(await page.isVisible('#notice')).toBe(false);
      await page.screenshot({ path: new URL('demo-webgpu.png', ARTIFACTS).pathname });
      expect(problems).toEqual([]);
      await page.close();
    },
    SLOW,
  );
});
