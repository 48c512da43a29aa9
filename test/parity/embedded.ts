// The embedded-preprocessing file (raw rows in) against the JS preprocessing + the plain file, on every consumer
// that can take raw rows today: onnxruntime-node, onnxruntime-web wasm in Node, and OpenCV DNN for the plain file.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SEED_CONTRACT } from '@conv3d/core';
import { BrowserUnavailableError, startBrowserHarness } from '@conv3d/web-demo/harness';
import * as ortNode from 'onnxruntime-node';

const run = promisify(execFile);
const VOXELS = SEED_CONTRACT.rawLength;
const SAMPLE_SHAPE = SEED_CONTRACT.inputShape;

/** Edge rows the JS preprocessing handles specially: constant, all-zero, one non-zero voxel, max at 1 and at 1e-30. */
export function edgeRows(): { name: string; row: Float32Array }[] {
  const ramp = (scale: number) =>
    Float32Array.from({ length: VOXELS }, (_, i) => (((i * 2654435761) >>> 0) % 1000) * scale);
  const unit = ramp(1 / 999);
  unit[5] = 1;
  const tiny = ramp(1e-30 / 999);
  tiny[5] = 1e-30;
  const one = new Float32Array(VOXELS);
  one[1234] = 0.5;
  return [
    { name: 'constant sample', row: new Float32Array(VOXELS).fill(0.75) },
    { name: 'all-zero sample', row: new Float32Array(VOXELS) },
    { name: 'one non-zero voxel', row: one },
    { name: 'max at 1', row: unit },
    { name: 'max at 1e-30', row: tiny },
  ];
}

export function concat(rows: readonly ArrayLike<number>[], Type: typeof Float32Array | typeof Float64Array) {
  const out = new Type(rows.reduce((n, r) => n + r.length, 0));
  let o = 0;
  for (const r of rows) {
    out.set(r, o);
    o += r.length;
  }
  return out;
}

/** One onnxruntime-node CPU run of a whole batch: the input is [N, ...perSample]. */
export async function ortNodeRun(bytes: Uint8Array, data: Float32Array, perSample: readonly number[]) {
  const session = await ortNode.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const n = data.length / perSample.reduce((a, b) => a * b, 1);
    const feeds = {
      [session.inputNames[0] as string]: new ortNode.Tensor('float32', data, [n, ...perSample]),
    };
    const out = await session.run(feeds);
    return out[session.outputNames[0] as string]?.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** onnxruntime-web's wasm EP in Node (single thread, as infer-web runs it). */
export async function ortWebRun(bytes: Uint8Array, data: Float32Array, perSample: readonly number[]) {
  const ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const n = data.length / perSample.reduce((a, b) => a * b, 1);
    const feeds = { [session.inputNames[0] as string]: new ort.Tensor('float32', data, [n, ...perSample]) };
    const out = await session.run(feeds);
    return out[session.outputNames[0] as string]?.data as Float32Array;
  } finally {
    await session.release();
  }
}

const OPENCV = `
import sys, cv2, numpy as np
from matplotlib import cm
rows = np.fromfile(sys.argv[2], dtype="<f8").reshape(-1, ${VOXELS})
rgb = np.stack([cm.ScalarMappable(cmap="Oranges").to_rgba(r)[:, :3] for r in rows])
net = cv2.dnn.readNetFromONNX(sys.argv[1])
net.setInput(rgb.reshape(-1, ${SAMPLE_SHAPE.join(', ')}).astype(np.float32))
np.savetxt(sys.stdout, net.forward(), fmt="%.9g")
`;

/** OpenCV DNN (Debian python3-opencv) on the plain file, with matplotlib's own preprocessing of float64 rows. */
export async function opencvRun(onnxPath: string, rows: Float64Array, dir: string): Promise<Float32Array> {
  const rowsPath = join(dir, 'opencv-rows.bin');
  await writeFile(rowsPath, rows);
  const { stdout } = await run('/usr/bin/python3', ['-c', OPENCV, onnxPath, rowsPath], {
    maxBuffer: 64 << 20,
  });
  return Float32Array.from(stdout.trim().split(/\s+/).map(Number));
}

/** onnx.checker.check_model(full_check=True), Debian python3-onnx; "ok" or the first line of the error. */
export async function onnxCheck(path: string): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', [
    '-c',
    'import sys, onnx\ntry:\n    onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print("ok")\nexcept Exception as e:\n    print(str(e).strip().splitlines()[0])',
    path,
  ]);
  return stdout.trim();
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(max, d);
  }
  return max;
}

/** Voxels whose colour differs between two preprocessed batches (3 channels per voxel). */
export function voxelsInAnotherEntry(a: Float32Array, b: Float32Array): number {
  let count = 0;
  for (let v = 0; v < a.length; v += 3) {
    if (a[v] !== b[v] || a[v + 1] !== b[v + 1] || a[v + 2] !== b[v + 2]) count++;
  }
  return count;
}

// The page-side run, built from source text: the test runner rewrites import() in functions it compiles, and the
// page has no such rewrite. args = [raw rows, N, webgpu].
const AsyncFunction = (async () => undefined).constructor as new (
  ...source: string[]
) => (args: readonly [number[], number, boolean]) => Promise<number[]>;
const IN_PAGE = new AsyncFunction(
  'args',
  `const [values, n, gpu] = args;
  const base = new URL('./ort/', location.href).href;
  const ort = await import(base + (gpu ? 'ort.webgpu.min.mjs' : 'ort.wasm.min.mjs'));
  ort.env.wasm.wasmPaths = base;
  ort.env.wasm.numThreads = 1;
  const bytes = new Uint8Array(await (await fetch('./model.onnx')).arrayBuffer());
  // One provider only: given a list, onnxruntime-web silently falls back to wasm.
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [gpu ? 'webgpu' : 'wasm'] });
  const x = new ort.Tensor('float32', Float32Array.from(values), [n, values.length / n]);
  const out = await session.run({ [session.inputNames[0]]: x });
  const probabilities = Array.from(out[session.outputNames[0]].data);
  await session.release();
  return probabilities;`,
);

/**
 * onnxruntime-web in headless Chromium on the embedded file, straight from the harness's copy of onnxruntime-web
 * (infer-web's classifier still feeds preprocessed tensors). Returns the reason instead when Chromium or (for
 * WebGPU) an adapter is missing.
 */
export async function chromiumRun(
  onnxPath: string,
  rows: Float32Array,
  webgpu: boolean,
): Promise<{ probabilities: Float32Array } | { unavailable: string }> {
  let harness: Awaited<ReturnType<typeof startBrowserHarness>>;
  try {
    harness = await startBrowserHarness({ modelPath: onnxPath, webgpu });
  } catch (error) {
    if (error instanceof BrowserUnavailableError) return { unavailable: error.message };
    throw error;
  }
  try {
    if (webgpu) {
      const why = await harness.webgpuUnavailableReason();
      if (why !== null) return { unavailable: why };
    }
    const page = await harness.newPage('harness.html');
    const args: readonly [number[], number, boolean] = [Array.from(rows), rows.length / VOXELS, webgpu];
    const data = await page.evaluate(IN_PAGE, args);
    return { probabilities: Float32Array.from(data) };
  } finally {
    await harness.close();
  }
}
