import { mulberry32 } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';
import { useFastCpuBackend } from '../src/fast-cpu/index.js';
import { loadNativeKernels, type NativeKernels } from '../src/fast-cpu/native-addon.js';

/** Seeded uniform values in [-1, 1) (mulberry32), so every run tests the same numbers. */
export function randomArray(shape: number[], seed: number): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const next = mulberry32(seed);
  // next() · 2 − 1 is exact in float64: the same values as u / 2³¹ − 1 from the raw 32-bit output u.
  for (let i = 0; i < out.length; i++) out[i] = next() * 2 - 1;
  return out;
}

export interface Computed {
  shape: number[];
  values: Float32Array;
}

/** Runs `compute` on `backend` and copies its tensors out. */
export async function runOn(backend: string, compute: () => tf.Tensor[]): Promise<Computed[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not initialise`);
  const tensors = tf.tidy(compute);
  const out = tensors.map((t) => ({ shape: t.shape, values: Float32Array.from(t.dataSync()) }));
  tf.dispose(tensors);
  return out;
}

export const RELATIVE_TOLERANCE = 1e-5;

/** max |a - e| <= 1e-5 * max |e| for each named tensor, with equal shapes. */
export function expectClose(actual: Computed[], expected: Computed[], names: string[]): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, e] of expected.entries()) {
    const a = actual[i];
    const name = names[i] ?? `output ${i}`;
    expect(a?.shape, name).toEqual(e.shape);
    let scale = 0;
    let diff = 0;
    for (let j = 0; j < e.values.length; j++) {
      const ev = e.values[j] ?? 0;
      scale = Math.max(scale, Math.abs(ev));
      diff = Math.max(diff, Math.abs((a?.values[j] ?? Number.NaN) - ev));
    }
    expect(Number.isFinite(scale), `${name}: reference not finite`).toBe(true);
    expect(diff, `${name}: max abs diff ${diff} vs max |cpu| ${scale}`).toBeLessThanOrEqual(
      RELATIVE_TOLERANCE * scale,
    );
  }
}

/**
 * Registers a test file's set-up for the native kernels: the fast backend must load its addon (on this project's
 * machines it does), every instruction-set build this CPU runs is found, and the defaults are restored afterwards.
 * `forEachBuild(check)` runs `check` once per (instruction set, thread count 1 and 2).
 */
export function useNativeBuilds(): {
  native: () => NativeKernels;
  forEachBuild: (check: () => Promise<void>) => () => Promise<void>;
} {
  let native: NativeKernels | undefined;
  const isas: string[] = [];
  const kernels = (): NativeKernels => {
    if (native === undefined) throw new Error('useNativeBuilds: the native kernels are set up in beforeAll');
    return native;
  };
  beforeAll(async () => {
    const info = await useFastCpuBackend();
    expect(info.kernels, info.fallbackReason).toMatch(/^native-/);
    const load = loadNativeKernels();
    if (!load.ok) throw new Error(load.reason);
    native = load.kernels;
    for (const isa of ['generic', 'avx2', 'avx512']) {
      try {
        native.configure(isa, 1);
        isas.push(isa);
      } catch {
        // This CPU lacks that instruction set; the addon refuses it, so it is never run.
      }
    }
  });
  afterAll(() => {
    native?.configure('', 0);
  });
  return {
    native: kernels,
    forEachBuild: (check) => async () => {
      for (const isa of isas) {
        for (const threads of [1, 2]) {
          kernels().configure(isa, threads);
          await check();
        }
      }
    },
  };
}
