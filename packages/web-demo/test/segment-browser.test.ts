// Segmentation in Debian's Chromium: the worker segmenter on wasm and WebGPU against core's sliding windows over
// onnxruntime-node, zero long tasks on the page's main thread while a worker segments (and some when the same work
// runs on the main thread: the count can fail), and the demo's segmentation view drawing the right overlay.
import type { Segmentation } from '@conv3d/core';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxDiff, referenceSegmenter } from '../../infer-web/test/helpers.js';
import { BAND_VALUES, blobs, findPhantom, sphereBand } from '../demo/phantoms.js';
import { planeGeometry, slicePixel } from '../demo/slice-geometry.js';
import type { BrowserHarness, SegmentRequest } from '../src/node/browser-harness.js';
import { ARTIFACTS, harnessForSuite, SLOW } from './harness-suite.js';

const DIMS: [number, number, number] = [20, 26, 31];
const small = blobs(DIMS, 9, 4);
const smallRequest = (device: SegmentRequest['device'], batch: number): SegmentRequest => ({
  model: './test-segmenter.onnx',
  device,
  volume: { data: Array.from(small.data), dims: DIMS },
  options: { overlap: 0.5, batch, output: 'probabilities' },
  worker: true,
  returnData: true,
});
let expected: Segmentation;

beforeAll(async () => {
  const reference = await referenceSegmenter();
  expected = await reference.segment(small, { overlap: 0.5, output: 'probabilities' });
  await reference.dispose();
});

/** Same labels as the reference except where the reference's top two probabilities tie exactly. */
function expectSameLabels(labels: readonly number[], probabilities: Float32Array, reference: Segmentation) {
  const k = 3;
  const differing = labels.flatMap((label, v) => (label === reference.labels[v] ? [] : [v]));
  for (const v of differing) {
    const p = probabilities.subarray(v * k, v * k + k);
    expect(p[label(reference, v)]).toBe(p[labels[v] as number]);
  }
}
const label = (s: Segmentation, v: number) => s.labels[v] as number;

describe('segmentation in Chromium without WebGPU', () => {
  const current = harnessForSuite(false);

  it(
    'segments in a worker on wasm: within 1e-5 of onnxruntime-node, same labels, batch-independent within 1e-6',
    async (ctx) => {
      const harness = current(ctx);
      const one = await harness.segment(smallRequest('auto', 1));
      const five = await harness.segment(smallRequest('wasm', 5));
      expect(one.provider).toBe('wasm');
      expect(one.windows).toBe(expected.windows);
      expect(one.progressCalls).toBe(one.windows);
      const reference = expected.probabilities as Float32Array;
      expect(maxDiff(one.probabilities ?? [], reference)).toBeLessThanOrEqual(1e-5);
      expect(maxDiff(one.probabilities ?? [], five.probabilities ?? [])).toBeLessThanOrEqual(1e-6);
      expectSameLabels(one.labels ?? [], reference, expected);
      expect(new Set(one.labels).size).toBe(3);
    },
    SLOW,
  );

  it(
    'stops a worker segmentation when its signal aborts, with the signal reason',
    async (ctx) => {
      const harness = current(ctx);
      await expect(harness.segment({ ...smallRequest('wasm', 1), abortAfter: 2 })).rejects.toThrow(
        'aborted by the harness',
      );
    },
    SLOW,
  );

  it(
    'rejects in one line when the worker script does not load, instead of waiting forever',
    async (ctx) => {
      const harness = current(ctx);
      await expect(
        harness.segment({ ...smallRequest('wasm', 1), missingWorkerScript: true }),
      ).rejects.toThrow(/segment worker failed: /);
    },
    SLOW,
  );

  it(
    'keeps the main thread free: 0 long tasks from a worker, some when the same volume runs on the main thread',
    async (ctx) => {
      const harness = current(ctx);
      // 32 windows of 16³ per model run: one run of the 3³-conv fixture is a long task when it runs on this thread.
      const request: SegmentRequest = {
        model: './test-segmenter.onnx',
        device: 'wasm',
        volume: { phantom: 'blobs' },
        options: { overlap: 0.25, batch: 32 },
        worker: true,
        returnData: false,
      };
      const inWorker = await harness.segment(request);
      const onMain = await harness.segment({ ...request, worker: false });
      console.log(
        `[segment long tasks] worker: ${inWorker.longTasks} (${inWorker.ms.toFixed(0)} ms); main thread: ${onMain.longTasks}, longest ${onMain.longestTaskMs.toFixed(0)} ms (${onMain.ms.toFixed(0)} ms)`,
      );
      expect(inWorker.longTasks).toBe(0);
      expect(onMain.longTasks).toBeGreaterThan(0);
      expect(inWorker.labelCounts).toEqual(onMain.labelCounts);
    },
    SLOW,
  );

  it(
    'the segmentation view draws each label in its colour at the voxels the volume puts it, and follows the opacity',
    async (ctx) => {
      const harness = current(ctx);
      const page = await harness.browser.newPage({ viewport: { width: 1200, height: 640 } });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(err.message));
      await page.goto(`${harness.url}segment.html?volume=spheres&device=wasm`);
      await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
      expect(await page.textContent('#error')).toBe('');
      expect(await page.textContent('#provider')).toBe('wasm (CPU)');
      expect(await page.textContent('#windows')).toMatch(/^(\d+) \/ \1$/);
      await page.screenshot({ path: new URL('segment-wasm.png', ARTIFACTS).pathname });
      const { dims } = findPhantom('spheres');
      const slice = Math.floor(dims[0] / 2);
      // One voxel deep inside each band of the axial slice through the centre.
      const { rows, cols } = planeGeometry('axial', dims);
      const probes = [0, 1, 2].map((band) => {
        for (let row = 1; row < rows - 1; row++)
          for (let col = 1; col < cols - 1; col++) {
            const around = [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => [row + dy, col + dx]));
            if (around.every(([y, x]) => sphereBand(dims, slice, y as number, x as number) === band))
              return { band, row, col };
          }
        throw new Error(`no voxel of band ${band}`);
      });
      const at = (opacity: number) =>
        probes.map(({ band }) => slicePixel(BAND_VALUES[band] as number, band, opacity));
      expect(await axialPixels(harness, page, probes, rows, cols)).toEqual(closeTo(at(0.6)));
      await page.locator('#opacity').fill('0');
      expect(await axialPixels(harness, page, probes, rows, cols)).toEqual(closeTo(at(0)));
      await page.locator('#opacity').fill('1');
      expect(await axialPixels(harness, page, probes, rows, cols)).toEqual(closeTo(at(1)));
      // Another volume from the picker is segmented and drawn.
      await page.selectOption('#volume', 'blobs');
      await page.waitForSelector('body[data-state="ready"]');
      expect(problems).toEqual([]);
      await page.close();
    },
    SLOW,
  );
});

describe('segmentation in Chromium with WebGPU (SwiftShader here)', () => {
  const current = harnessForSuite(true);

  it(
    'segments in a worker on WebGPU: within 1e-4 of onnxruntime-node, same labels',
    async (ctx) => {
      const harness: BrowserHarness = current(ctx);
      const result = await harness.segment(smallRequest('auto', 4));
      expect(result.provider).toBe('webgpu');
      const reference = expected.probabilities as Float32Array;
      expect(maxDiff(result.probabilities ?? [], reference)).toBeLessThanOrEqual(1e-4);
      expectSameLabels(result.labels ?? [], reference, expected);
    },
    SLOW,
  );

  it(
    "3D ConvTranspose: WebGPU fails it at run time, so 'auto' runs the model on wasm and 'webgpu' says why",
    async (ctx) => {
      const harness: BrowserHarness = current(ctx);
      const request = { ...smallRequest('auto', 4), model: './test-segmenter-convtranspose.onnx' };
      const auto = await harness.segment(request);
      expect(auto.provider).toBe('wasm');
      expect(maxDiff(auto.probabilities ?? [], expected.probabilities as Float32Array)).toBeLessThanOrEqual(
        1e-5,
      );
      await expect(harness.segment({ ...request, device: 'webgpu' })).rejects.toThrow(
        /webgpu provider cannot run the model: .*ConvTranspose.*Only Conv2d or Conv1d are supported/,
      );
    },
    SLOW,
  );
});

/** Each matcher accepts a pixel within 2 of the expected RGB (PNG screenshots of a scaled canvas). */
function closeTo(pixels: number[][]) {
  return pixels.map((rgb) => rgb.map((c) => expect.toSatisfy((v: number) => Math.abs(v - c) <= 2)));
}

/** Screenshots the axial canvas and reads the RGB at the centre of each probed voxel. */
async function axialPixels(
  harness: BrowserHarness,
  page: Page,
  probes: readonly { row: number; col: number }[],
  rows: number,
  cols: number,
): Promise<number[][]> {
  const canvas = page.locator('#axial');
  const png = await canvas.screenshot();
  const box = await canvas.boundingBox();
  if (box === null) throw new Error('#axial is not visible');
  const points = probes.map(({ row, col }): [number, number] => [
    Math.floor(((col + 0.5) / cols) * box.width),
    Math.floor(((row + 0.5) / rows) * box.height),
  ]);
  return harness.pixels(png, points);
}
