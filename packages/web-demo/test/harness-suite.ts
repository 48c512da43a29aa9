// The headless-Chromium harness per test suite, shared by the browser test files: locally a missing Chromium or
// WebGPU adapter skips with a message; under CI=true it fails.
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { IN_CI } from '../../infer-web/test/helpers.js';
import {
  type BrowserHarness,
  BrowserUnavailableError,
  startBrowserHarness,
} from '../src/node/browser-harness.js';

export const ARTIFACTS = new URL('../test-artifacts/', import.meta.url);
// SwiftShader WebGPU compiles its shaders on the CPU: a first WebGPU run takes 10–50 s on a busy 2-core machine.
export const SLOW = 150_000;

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

/**
 * Starts a harness before the enclosing suite and closes it after. The getter gives a test the harness, or skips
 * the test with the reason this machine can't run it.
 */
export function harnessForSuite(webgpu: boolean, threads = 1): (ctx: TestContext) => BrowserHarness {
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
