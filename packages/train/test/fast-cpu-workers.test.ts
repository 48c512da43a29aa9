// The addon in worker_threads: every environment that loads it gets its own state and thread
// pool, so workers can run kernels at the same time as the main thread, each with its own
// instruction set and thread count, and a worker that ends takes its pool with it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { loadNativeKernels } from '../src/fast-cpu/native-addon.js';
import { randomArray } from './fast-cpu-helpers.js';

const ADDON = fileURLToPath(new URL('../build/Release/conv3d_cpu.node', import.meta.url));
// x [4, 9, 9, 9, 8] * filter [3, 3, 3, 8, 16], valid, stride 1: the geometry convGeometry() builds.
const GEOMETRY = [4, 9, 9, 9, 8, 7, 7, 7, 16, 3, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0];
const X = randomArray([4, 9, 9, 9, 8], 600);
const F = randomArray([3, 3, 3, 8, 16], 601);
const OUT = 4 * 7 * 7 * 7 * 16;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.addon);
const chosen = addon.configure(workerData.isa, workerData.threads);
const y = new Float32Array(workerData.out);
for (let i = 0; i < 20; i++) {
  addon.conv3d(workerData.x, workerData.f, new Float32Array(0), y, Int32Array.from(workerData.geometry), true);
}
parentPort.postMessage({ chosen, y });
`;

function runWorker(
  isa: string,
  threads: number,
): Promise<{ chosen: { isa: string; threads: number }; y: Float32Array }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { addon: ADDON, isa, threads, x: X, f: F, out: OUT, geometry: GEOMETRY },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

it('workers and the main thread run kernels concurrently, each with its own configuration', async () => {
  const load = loadNativeKernels();
  if (!load.ok) throw new Error(load.reason);
  const main = load.kernels;
  const before = main.configure('', 0);
  const expected = new Float32Array(OUT);
  main.conv3d(X, F, new Float32Array(0), expected, Int32Array.from(GEOMETRY), true);

  const results = await Promise.all([
    runWorker('generic', 1),
    runWorker('', 2),
    runWorker('generic', 3),
    (async () => {
      // The main thread keeps computing meanwhile on its own pool.
      const y = new Float32Array(OUT);
      for (let i = 0; i < 20; i++) main.conv3d(X, F, new Float32Array(0), y, Int32Array.from(GEOMETRY), true);
      return { chosen: before, y };
    })(),
  ]);
  expect(results.map((r) => r.chosen.threads)).toEqual([1, 2, 3, before.threads]);
  expect(results[0]?.chosen.isa).toBe('generic');
  // The workers' configure calls did not touch the main thread's state.
  expect(main.configure('', 0)).toEqual(before);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (const { y } of results) {
    let diff = 0;
    for (let i = 0; i < OUT; i++) diff = Math.max(diff, Math.abs((y[i] ?? Number.NaN) - (expected[i] ?? 0)));
    expect(diff).toBeLessThanOrEqual(1e-5 * scale);
  }
  // Loading it again in this thread is the same module with the same state.
  expect(createRequire(import.meta.url)(ADDON)).toBe(main);
});
