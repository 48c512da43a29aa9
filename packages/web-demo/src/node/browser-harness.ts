// Node-side harness for browser tests, benchmarks and the parity suite: serves the built pages on an ephemeral
// 127.0.0.1 port, launches Debian's Chromium through playwright-core (with or without WebGPU) and classifies
// raw vectors inside the page with the bundled library.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  CONVTRANSPOSE_SEGMENTER,
  DEMO_DIR,
  TEST_MODEL,
  TEST_SEGMENTER,
  THRESHOLD_SEGMENTER,
} from './paths.js';
import type { SegmentRequest } from './segment-request.js';
import { type RunningServer, startStaticServer } from './static-server.js';

export type BrowserDevice = 'auto' | 'webgpu' | 'wasm';
export type BrowserProvider = 'webgpu' | 'wasm';

/** Thrown when the browser or the WebGPU adapter a run needs is missing on this machine. */
export class BrowserUnavailableError extends Error {
  override name = 'BrowserUnavailableError';
}

export interface BrowserHarnessOptions {
  /** The ONNX model the page loads as ./model.onnx; defaults to the package's test fixture. */
  modelPath?: string;
  /** The segmentation model served as ./segmenter.onnx; defaults to the threshold fixture. */
  segmenterPath?: string;
  /** Launch Chromium with WebGPU enabled (SwiftShader adapter when there is no GPU). */
  webgpu: boolean;
  /** Defaults to $CONV3D_CHROMIUM or /usr/bin/chromium. */
  executablePath?: string;
  /** onnxruntime wasm threads in the page (default 1); more than 1 serves the pages cross-origin isolated. */
  threads?: number;
}

export interface BrowserPredictions {
  provider: BrowserProvider;
  /** One row of class probabilities per input vector. */
  probabilities: number[][];
}

export type { SegmentRequest };

/** A segmentation in the page: the provider, the time and main-thread long tasks, the result or its summary. */
export interface BrowserSegmentation {
  provider: BrowserProvider;
  /** segment() call to result, model load excluded. */
  ms: number;
  /** PerformanceObserver 'longtask' entries (> 50 ms) on the page's main thread meanwhile, and the longest. */
  longTasks: number;
  longestTaskMs: number;
  progressCalls: number;
  dims: [number, number, number];
  roi: [number, number, number];
  windows: number;
  /** Voxels per label. */
  labelCounts: number[];
  labels: number[] | null;
  probabilities: number[] | null;
}

export interface BrowserHarness {
  /** Base URL of the served pages (index.html = demo, harness.html = test page). */
  readonly url: string;
  readonly browser: Browser;
  /** Why WebGPU can't run in this browser, or null when it can. */
  webgpuUnavailableReason(): Promise<string | null>;
  classify(vectors: readonly (readonly number[])[], device: BrowserDevice): Promise<BrowserPredictions>;
  /** Batch-1 predict latencies in ms (preprocessing included) after `warmup` untimed runs. */
  latencies(
    vector: readonly number[],
    device: BrowserDevice,
    runs: number,
    warmup: number,
  ): Promise<{ provider: BrowserProvider; times: number[] }>;
  /**
   * Opens a segmenter in the page ('./segmenter.onnx', the threshold fixture by default, or './test-segmenter.onnx',
   * the random one), in a Web Worker or on the main thread, and segments one volume.
   */
  segment(request: SegmentRequest): Promise<BrowserSegmentation>;
  /** Decodes a PNG screenshot in the page and reads the RGB at each [x, y] pixel. */
  pixels(png: Buffer, at: readonly (readonly [number, number])[]): Promise<number[][]>;
  /** Opens a new page (e.g. the demo) on the served pages; closed with the harness. */
  newPage(path: string): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium flags for headless runs on a closed network; the probe's flags minus --disable-gpu. */
export function chromiumArgs(webgpu: boolean): string[] {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ];
  return webgpu ? [...args, '--enable-unsafe-webgpu'] : args;
}

export function chromiumExecutable(): string {
  return process.env.CONV3D_CHROMIUM ?? '/usr/bin/chromium';
}

interface HarnessPageApi {
  webgpuUnavailableReason(): Promise<string | null>;
  classify(vectors: number[][], device: BrowserDevice): Promise<BrowserPredictions>;
  latencies(
    vector: number[],
    device: BrowserDevice,
    runs: number,
    warmup: number,
  ): Promise<{ provider: BrowserProvider; times: number[] }>;
  segment(request: SegmentRequest): Promise<BrowserSegmentation>;
  pixels(png: string, at: [number, number][]): Promise<number[][]>;
}

type HarnessWindow = { conv3dHarness: HarnessPageApi };

export async function startBrowserHarness(options: BrowserHarnessOptions): Promise<BrowserHarness> {
  const executablePath = options.executablePath ?? chromiumExecutable();
  if (!existsSync(executablePath)) {
    throw new BrowserUnavailableError(`Chromium not found at ${executablePath} (apt-get install chromium)`);
  }
  if (!existsSync(`${DEMO_DIR}/harness.html`)) {
    throw new Error(`${DEMO_DIR}/harness.html not found: build @conv3d/web-demo first (npm run build)`);
  }
  const threads = options.threads ?? 1;
  const server = await startStaticServer({
    root: DEMO_DIR,
    files: {
      '/model.onnx': options.modelPath ?? TEST_MODEL,
      '/segmenter.onnx': options.segmenterPath ?? THRESHOLD_SEGMENTER,
      '/test-segmenter.onnx': TEST_SEGMENTER,
      '/test-segmenter-convtranspose.onnx': CONVTRANSPOSE_SEGMENTER,
    },
    crossOriginIsolated: threads > 1,
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath, args: chromiumArgs(options.webgpu) });
    const page = await browser.newPage();
    await page.goto(`${server.url}harness.html?threads=${threads}`);
    await page.waitForSelector('body[data-state="ready"]', { state: 'attached' });
    return harness(server, browser, page);
  } catch (err) {
    await browser?.close();
    await server.close();
    throw err;
  }
}

function harness(server: RunningServer, browser: Browser, page: Page): BrowserHarness {
  return {
    url: server.url,
    browser,
    webgpuUnavailableReason: () =>
      page.evaluate(() => (globalThis as unknown as HarnessWindow).conv3dHarness.webgpuUnavailableReason()),
    classify: (vectors, device) =>
      page.evaluate(([v, d]) => (globalThis as unknown as HarnessWindow).conv3dHarness.classify(v, d), [
        vectors.map((row) => Array.from(row)),
        device,
      ] as const),
    latencies: (vector, device, runs, warmup) =>
      page.evaluate(
        ([v, d, r, w]) => (globalThis as unknown as HarnessWindow).conv3dHarness.latencies(v, d, r, w),
        [Array.from(vector), device, runs, warmup] as const,
      ),
    segment: (request) =>
      page.evaluate((r) => (globalThis as unknown as HarnessWindow).conv3dHarness.segment(r), request),
    pixels: (png, at) =>
      page.evaluate(([p, a]) => (globalThis as unknown as HarnessWindow).conv3dHarness.pixels(p, a), [
        png.toString('base64'),
        at.map(([x, y]) => [x, y] as [number, number]),
      ] as const),
    newPage: async (path) => {
      const extra = await browser.newPage();
      await extra.goto(new URL(path, server.url).href);
      return extra;
    },
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
