#!/usr/bin/env node
// The packaging figures, measured as users meet the packages and written to BENCHMARKS.md (between the
// install-figures markers): every public tarball's size, what a fresh app depending on @conv3d/infer-node adds to
// node_modules beyond one depending on onnxruntime-node alone, and the npm install time from npm's cache.
// Usage (after `npx turbo run build`): node test/install/measure.mjs [--no-write]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addedBeyond, installApp, packAll, REPO_ROOT } from './packaging.mjs';

const START = '<!-- install-figures:start -->';
const END = '<!-- install-figures:end -->';
const COMMAND = 'node test/install/measure.mjs';
const INFER_NODE_TARGET = 2_000_000;
const INFER_WEB_TARGET = 200_000;

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const kb = (bytes) => `${(bytes / 1e3).toFixed(1)} kB`;

const work = mkdtempSync(join(tmpdir(), 'conv3d-measure-'));
try {
  process.stderr.write('packing every public package...\n');
  const tarballs = packAll(join(work, 'tarballs'));
  process.stderr.write('installing the tarballs into a fresh app...\n');
  const installSeconds = installApp(join(work, 'app'), tarballs);
  const added = addedBeyond(join(work, 'app'), '@conv3d/infer-node', 'onnxruntime-node');
  const web = tarballs.find((t) => t.name === '@conv3d/infer-web');
  if (!web) throw new Error('@conv3d/infer-web is not among the public packages');

  const verdict = (value, target) => (value <= target ? 'met' : '**not met**');
  const contributors = added.packages
    .filter((p) => p.bytes >= 50_000)
    .map((p) => `${p.name} ${mb(p.bytes)}`)
    .join(', ');
  const lines = [
    START,
    `\`${COMMAND}\` (after \`npx turbo run build\`): \`npm pack\` of every public package, the tarballs installed`,
    'together into a fresh app in the temp folder (`npm install --prefer-offline`, everything else from the npm',
    "registry through npm's cache), sizes as apparent bytes of the installed package folders (1 MB = 10⁶ bytes).",
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
    '',
    '| what | measured | target |',
    '| --- | --- | --- |',
    `| what an app depending on @conv3d/infer-node adds to node_modules beyond an app depending on onnxruntime-node alone | **${mb(added.bytes)}** (${contributors || 'nothing over 50 kB'}) | ≤ 2 MB: ${verdict(added.bytes, INFER_NODE_TARGET)} |`,
    `| @conv3d/infer-web tarball | **${kb(web.bytes)}** | ≤ 200 KB: ${verdict(web.bytes, INFER_WEB_TARGET)} |`,
    ...tarballs.map(
      (t) =>
        `| ${t.name} tarball | ${kb(t.bytes)} (${kb(t.unpackedBytes)} unpacked, ${t.files.length} files) | |`,
    ),
    `| npm install of all tarballs into the fresh app | ${installSeconds.toFixed(1)} s | |`,
    END,
  ];
  const section = lines.join('\n');
  process.stdout.write(`${section}\n`);

  if (!process.argv.includes('--no-write')) {
    const path = join(REPO_ROOT, 'BENCHMARKS.md');
    const old = readFileSync(path, 'utf8');
    const at = old.indexOf(START);
    const next =
      at >= 0
        ? `${old.slice(0, at)}${section}${old.slice(old.indexOf(END) + END.length)}`
        : `${old.trimEnd()}\n\n## Packages as users install them\n\n${section}\n`;
    // Written beside and renamed: an interrupted run never leaves a half-written BENCHMARKS.md.
    writeFileSync(`${path}.tmp-${process.pid}`, next);
    renameSync(`${path}.tmp-${process.pid}`, path);
    // The repo's formatter aligns the table, so `biome ci` stays green after a run.
    const biome = spawnSync('npx', ['biome', 'format', '--write', path], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (biome.status !== 0) throw new Error(`biome format ${path} failed: ${biome.stderr}`);
    process.stderr.write(`wrote ${path}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
