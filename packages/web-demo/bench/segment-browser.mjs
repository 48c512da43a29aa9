#!/usr/bin/env node
// The browser segmentation figure: a 256³ one-channel volume (seeded blobs) segmented on wasm in headless Chromium
// by a small segmenter (Conv3D 3³ ×2 with 4 filters, a 1³ Conv3D to 3 classes, softmax; fixed 64³ patch) in
// sliding windows (overlap 0.25, gaussian), inside the library's Web Worker. Per run, in a fresh browser: the
// segment() time, the tab's peak memory (VmHWM of Chromium's renderer process, which holds the page and its
// worker; the main thread's JS heap from CDP beside it), and the page's main-thread long tasks (target 0). The
// volume is moved to the worker (transfer), not copied: copying 64 MB is a 50–130 ms task on the main thread.
// Reference in the same run, interleaved: @conv3d/infer-node (onnxruntime-node CPU, in-thread) on a 256³ volume
// with the same model and windows. Usage: node bench/segment-browser.mjs [--runs 3]   (after npm run build)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSegmenter } from '@conv3d/infer-node';
import { startBrowserHarness } from '../dist/node/browser-harness.js';
import { randomSegmenter } from '../scripts/test-segmenters.mjs';

const { values: args } = parseArgs({ options: { runs: { type: 'string' } } });
const runs = Number(args.runs ?? 3);
const SIZE = [256, 256, 256];
const PATCH = [64, 64, 64];
const OPTIONS = { overlap: 0.25, blend: 'gaussian', batch: 1 };
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mb = (bytes) => Math.round(bytes / 2 ** 20);

const dir = mkdtempSync(join(tmpdir(), 'conv3d-seg-bench-'));
const modelPath = join(dir, 'segmenter.onnx');
writeFileSync(modelPath, randomSegmenter(PATCH, 7));

/** VmHWM (peak RSS) in bytes of each renderer process of the harness's browser. */
async function rendererPeaks(browser) {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  await cdp.detach();
  return processInfo
    .filter((p) => p.type === 'renderer')
    .map((p) => {
      const status = readFileSync(`/proc/${p.id}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    });
}

async function browserRun() {
  const harness = await startBrowserHarness({ segmenterPath: modelPath, webgpu: false });
  try {
    const page = harness.browser.contexts()[0].pages()[0];
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const result = await harness.segment({
      model: './segmenter.onnx',
      device: 'wasm',
      volume: { blobs: { dims: SIZE, seed: 1, count: 12 } },
      options: OPTIONS,
      worker: true,
      transfer: true,
      returnData: false,
    });
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapTotalSize')?.value ?? 0;
    const peaks = await rendererPeaks(harness.browser);
    return { ...result, rendererPeak: Math.max(...peaks), renderers: peaks.length, mainHeap: heap };
  } finally {
    await harness.close();
  }
}

async function nodeRun() {
  const data = new Float32Array(SIZE[0] * SIZE[1] * SIZE[2]).map((_, i) => 0.5 + 0.5 * Math.sin(i / 977));
  const segmenter = await loadSegmenter(modelPath, { device: 'cpu' });
  try {
    const started = performance.now();
    const result = await segmenter.segment({ data, dims: SIZE }, OPTIONS);
    return { ms: performance.now() - started, windows: result.windows };
  } finally {
    await segmenter.dispose();
  }
}

const cpu = execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s+(.*)/)?.[1] ?? 'unknown CPU';
const browser = [];
const node = [];
try {
  for (let i = 0; i < runs; i++) {
    const b = await browserRun();
    browser.push(b);
    console.log(
      `chromium wasm (worker): ${(b.ms / 1000).toFixed(2)} s, ${b.windows} windows, long tasks ${b.longTasks} (longest ${b.longestTaskMs.toFixed(0)} ms), renderer peak RSS ${mb(b.rendererPeak)} MB (${b.renderers} renderer), main-thread JS heap ${mb(b.mainHeap)} MB, labels ${b.labelCounts.join('/')}, load ${loadavg()[0].toFixed(2)}`,
    );
    const n = await nodeRun();
    node.push(n);
    console.log(
      `infer-node cpu (reference): ${(n.ms / 1000).toFixed(2)} s, ${n.windows} windows, load ${loadavg()[0].toFixed(2)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const chromiumS = median(browser.map((b) => b.ms)) / 1000;
const nodeS = median(node.map((n) => n.ms)) / 1000;
console.log(
  `\n${cpu}; ${runs} interleaved runs, medians; ${SIZE.join('×')} volume, patch ${PATCH.join('×')}, overlap ${OPTIONS.overlap}, ${OPTIONS.blend}\n` +
    `chromium wasm in a worker: ${chromiumS.toFixed(2)} s; infer-node cpu: ${nodeS.toFixed(2)} s (${(chromiumS / nodeS).toFixed(2)}×); ` +
    `renderer peak RSS ${mb(median(browser.map((b) => b.rendererPeak)))} MB; main-thread long tasks ${browser.map((b) => b.longTasks).join(', ')}`,
);
