// The packages as a user meets them: every public workspace `npm pack`ed and the tarballs installed together into
// a fresh app outside the repo (everything else from the npm registry, through npm's cache). Then, in that app:
// (a) a Node script classifies real 3D MNIST test rows with the installed @conv3d/infer-node, stderr empty;
// (b) a page bundled by Vite from the installed @conv3d/infer-web classifies the same rows in headless Chromium and
//     agrees with (a) within 1e-5;
// (c) the installed @conv3d/train runs 2 training steps on its native fast path (the prebuilt binary it ships);
//     without a matching prebuild its install script builds one, and without a toolchain the stock kernels say why;
// (d) sizes: @conv3d/infer-node adds ≤ 2 MB beyond onnxruntime-node alone; the infer-web tarball is ≤ 200 KB.
// Installed once (a few minutes at most); every check reads that one app. CONV3D_KEEP_INSTALL=1 keeps it on disk.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataset } from '@conv3d/data';
import { chromiumArgs, chromiumExecutable } from '@conv3d/web-demo/harness';
import { startStaticServer } from '@conv3d/web-demo/server';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addedBeyond,
  copyAppTemplate,
  installApp,
  npmEnv,
  packAll,
  REPO_ROOT,
} from './install/packaging.mjs';
import { ensureDataset } from './parity/model.js';

// Decimal units, the stricter reading of the issue's "2 MB" and "200 KB".
const INFER_NODE_ADDED_LIMIT = 2_000_000;
const INFER_WEB_TARBALL_LIMIT = 200_000;
const AGREEMENT = 1e-5;
/** A small model with the real contract and seeded weights (packages/infer-node/scripts/make-test-model.py). */
const MODEL = join(REPO_ROOT, 'packages/infer-node/fixtures/tiny.onnx');
/** Real test rows, spread evenly over the test split (originals and rotated copies). */
const ROWS = 16;
const IN_CI = process.env.CI === 'true';

interface Classified {
  provider: string;
  labels: string[];
  probabilities: number[][];
  error?: string;
}

let work: string;
let appDir: string;
let tarballs: ReturnType<typeof packAll>;
let installSeconds: number;

function runApp(script: string): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [script], {
    cwd: appDir,
    encoding: 'utf8',
    env: { ...process.env },
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function maxAbsDiff(a: readonly number[][], b: readonly number[][]): number {
  let worst = 0;
  a.forEach((row, i) => {
    row.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - (b[i]?.[j] ?? Number.NaN)));
    });
  });
  return worst;
}

async function realRows(): Promise<{ rows: number[][]; labels: number[] }> {
  const dataset = await openDataset(await ensureDataset());
  try {
    const { x, y, count } = dataset.read('test');
    const picks = Array.from({ length: ROWS }, (_, i) => Math.floor((i * count) / ROWS));
    return {
      rows: picks.map((r) => Array.from(x.subarray(r * 4096, (r + 1) * 4096))),
      labels: picks.map((r) => Number(y[r])),
    };
  } finally {
    dataset.close();
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'conv3d-install-'));
  tarballs = packAll(join(work, 'tarballs'));
  appDir = join(work, 'app');
  installSeconds = installApp(appDir, tarballs, { '@tensorflow/tfjs': '4.22.0' });
  copyAppTemplate(appDir);
  writeFileSync(join(appDir, 'rows.json'), JSON.stringify(await realRows()));
  copyFileSync(MODEL, join(appDir, 'model.onnx'));
}, 900_000);

afterAll(() => {
  if (process.env.CONV3D_KEEP_INSTALL === '1') console.log(`[install test] kept ${work}`);
  else if (work) rmSync(work, { recursive: true, force: true });
});

describe('packed and installed into a fresh app', () => {
  let node: Classified;

  it('installs every public package from its tarball', () => {
    console.log(
      `[install test] ${tarballs.map((t) => `${t.name} ${(t.bytes / 1000).toFixed(1)} kB`).join(', ')}; ` +
        `npm install ${installSeconds.toFixed(1)} s`,
    );
    for (const { name } of tarballs)
      expect(existsSync(join(appDir, 'node_modules', name, 'package.json'))).toBe(true);
  });

  it('ships what users need: every export target and bin, no sources, tests, fixtures or source maps', () => {
    for (const { name, dir, files } of tarballs) {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        exports: Record<string, string | Record<string, string>>;
        bin?: Record<string, string>;
      };
      const targets = Object.values(manifest.exports).flatMap((target) =>
        typeof target === 'string'
          ? [target]
          : Object.entries(target)
              .filter(([c]) => c !== 'source')
              .map(([, t]) => t),
      );
      for (const target of [...targets, ...Object.values(manifest.bin ?? {})])
        expect(files, `${name}: ${target}`).toContain(target.replace(/^\.\//, ''));
      const unwanted = files.filter((f) => /^(src|test|fixtures|bench|scripts)\/|\.map$|\.test\./.test(f));
      expect(unwanted, name).toEqual([]);
    }
  });

  it('(a) a Node app classifies real test rows with the installed infer-node, printing nothing to stderr', () => {
    const { stdout, stderr, status } = runApp('classify-node.mjs');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    node = JSON.parse(stdout) as Classified;
    expect(node.provider).toBe('cpu');
    expect(node.probabilities).toHaveLength(ROWS);
    for (const row of node.probabilities) {
      expect(row).toHaveLength(10);
      expect(Math.abs(row.reduce((s, p) => s + p, 0) - 1)).toBeLessThan(1e-5);
    }
  });

  it('(b) a Vite-bundled page classifies the same rows with the installed infer-web in Chromium, within 1e-5', async (ctx) => {
    if (!node) return ctx.skip('needs (a)');
    const executablePath = chromiumExecutable();
    if (!existsSync(executablePath)) {
      if (IN_CI) throw new Error(`Chromium not found at ${executablePath}`);
      return ctx.skip(`no Chromium at ${executablePath}`);
    }
    const out = join(appDir, 'web-dist');
    await build({
      configFile: false,
      root: join(appDir, 'web'),
      logLevel: 'error',
      build: { outDir: out, emptyOutDir: true, target: 'es2022' },
    });
    // The files onnxruntime-web's wasm provider fetches at run time, hosted as infer-web's README says.
    const ortDist = join(appDir, 'node_modules', 'onnxruntime-web', 'dist');
    for (const file of ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'])
      cpSync(join(ortDist, file), join(out, 'ort', file));
    const server = await startStaticServer({
      root: out,
      files: { '/model.onnx': join(appDir, 'model.onnx'), '/rows.json': join(appDir, 'rows.json') },
    });
    const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs(false) });
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      // Self-contained functions, not strings: the page's CSP forbids eval.
      await page.waitForFunction(
        () => (globalThis as { conv3dResult?: Classified }).conv3dResult !== undefined,
        null,
        {
          timeout: 120_000,
        },
      );
      const web = (await page.evaluate(
        () => (globalThis as { conv3dResult?: Classified }).conv3dResult,
      )) as Classified;
      expect(web.error).toBeUndefined();
      expect(web.provider).toBe('wasm');
      expect(web.labels).toEqual(node.labels);
      const diff = maxAbsDiff(web.probabilities, node.probabilities);
      console.log(`[install test] Chromium vs Node: max |Δp| ${diff.toExponential(2)} over ${ROWS} rows`);
      expect(diff).toBeLessThanOrEqual(AGREEMENT);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 300_000);

  it('(c) the installed train runs 2 steps of the seed and of the shipped best config on its prebuilt native kernels, not the stock fallback', () => {
    const { stdout, stderr, status } = runApp('train-steps.mjs');
    expect(status, stderr).toBe(0);
    const run = JSON.parse(stdout) as {
      backend: string;
      detail: string;
      losses: number[];
      stepSeconds: number[];
      best: string;
      bestLosses: number[];
    };
    console.log(
      `[install test] train: ${run.detail}; losses ${run.losses.join(', ')}; steps ${run.stepSeconds} s`,
    );
    expect(run.backend).toBe('fast-cpu');
    expect(run.detail).toMatch(
      /^kernels native-(generic|avx2|avx512)-\d+threads \(prebuilds\/linux-x64\/[^)]+\.node\)$/,
    );
    expect(run.losses).toHaveLength(2);
    for (const loss of run.losses) expect(Number.isFinite(loss)).toBe(true);
    // A different second loss on the same batch: the first step changed the weights.
    expect(run.losses[1]).not.toBe(run.losses[0]);
    // The residual graph config ships in the package and trains from it.
    expect(run.best).toBe('best-resnet');
    expect(run.bestLosses).toHaveLength(2);
    for (const loss of run.bestLosses) expect(Number.isFinite(loss)).toBe(true);
    expect(run.bestLosses[1]).not.toBe(run.bestLosses[0]);
  }, 300_000);

  it('(c) without a matching prebuild: the install script builds one with node-gyp, else the stock kernels say why', () => {
    // A copy of the installed package without its prebuilds/, inside the app so it resolves the app's packages.
    const copy = join(appDir, 'train-without-prebuild');
    cpSync(join(appDir, 'node_modules', '@conv3d', 'train'), copy, { recursive: true });
    rmSync(join(copy, 'prebuilds'), { recursive: true });
    const install = (nodeGyp: string) =>
      spawnSync(process.execPath, ['native/build.mjs', '--install'], {
        cwd: copy,
        encoding: 'utf8',
        env: { ...npmEnv(), npm_config_node_gyp: nodeGyp },
      });
    const fastCpu = () => {
      const script =
        "import('./dist/fast-cpu/index.js').then(async (m) => console.log(JSON.stringify(await m.useFastCpuBackend())))";
      const result = spawnSync(process.execPath, ['-e', script], { cwd: copy, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as { kernels: string; addon?: string; fallbackReason?: string };
    };

    const noToolchain = install(join(copy, 'no-such-node-gyp.js'));
    expect(noToolchain.status).toBe(0);
    expect(noToolchain.stderr).toMatch(
      /native CPU kernels did not build \(node-gyp not found.*fall back to the stock/,
    );
    const stock = fastCpu();
    expect(stock.kernels).toBe('stock-cpu');
    expect(stock.fallbackReason).toMatch(
      /^native addon unavailable: No native build was found for platform=linux/,
    );

    // npm hands install scripts its own node-gyp as npm_config_node_gyp; the repo's stands in for it here.
    const built = install(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
    expect(built.status, built.stderr).toBe(0);
    const native = fastCpu();
    expect(native.kernels).toMatch(/^native-(generic|avx2|avx512)-\d+threads$/);
    expect(native.addon).toBe(join('build', 'Release', 'conv3d_cpu.node'));
  }, 300_000);

  it('(d) infer-web tarball ≤ 200 KB', () => {
    const web = tarballs.find((t) => t.name === '@conv3d/infer-web');
    expect(web?.bytes).toBeLessThanOrEqual(INFER_WEB_TARBALL_LIMIT);
  });

  it('(d) infer-node adds ≤ 2 MB to node_modules beyond onnxruntime-node alone', () => {
    const added = addedBeyond(appDir, '@conv3d/infer-node', 'onnxruntime-node');
    const list = added.packages.map((p) => `${p.name} ${(p.bytes / 1e6).toFixed(2)} MB`).join(', ');
    console.log(`[install test] infer-node adds ${(added.bytes / 1e6).toFixed(2)} MB: ${list}`);
    expect(added.bytes, list).toBeLessThanOrEqual(INFER_NODE_ADDED_LIMIT);
  });
});
