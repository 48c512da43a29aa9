#!/usr/bin/env node
// Measures our own JavaScript in the built output, gzipped (level 9, per file, as a server would send it), per page:
// the chunks each page can load (its entry, static and dynamic imports, and its workers, from Vite's manifest),
// onnxruntime's copied files in dist/demo/ort/ excluded; and @conv3d/infer-web's library bundle (dist/browser).
// Usage: node scripts/measure-size.mjs [--json]   (after npm run build)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Each page's budget. 150 KB until the segmentation page: main's classifier page was 149.6 KB (150.2 KB with the
 * harness, which the old whole-folder count included); the library's code shared by both pages now comes in three
 * chunks instead of one, ~1 KB more gzip overhead for the same code (150.6 KB). 156 KB since the classifier page
 * reads NIfTI scans (core's reader, gunzip through DecompressionStream, reorientation: +4.4 KB, 155.3 KB).
 */
const LIMIT_KB = 156;
const PAGES = ['index.html', 'segment.html'];
const demo = fileURLToPath(new URL('../dist/demo/', import.meta.url));
const libraryDir = join(
  dirname(createRequire(import.meta.url).resolve('@conv3d/infer-web/package.json')),
  'dist',
  'browser',
);

function measure(path, name) {
  const bytes = readFileSync(path);
  return { file: name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** The .js files a page loads: its manifest entry and everything it imports, dynamically too, and its workers. */
function pageFiles(manifest, page) {
  const files = new Set();
  const visit = (key) => {
    const chunk = manifest[key];
    if (chunk === undefined || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const asset of chunk.assets ?? []) if (asset.endsWith('.js')) files.add(asset);
    for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) visit(next);
  };
  visit(page);
  return [...files];
}

let pages;
let library;
try {
  const manifest = JSON.parse(readFileSync(join(demo, '.vite', 'manifest.json'), 'utf8'));
  pages = PAGES.map((page) => {
    const files = pageFiles(manifest, page).map((f) => measure(join(demo, f), f));
    return { page, gzip: files.reduce((sum, f) => sum + f.gzip, 0), files };
  });
  library = readdirSync(libraryDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => measure(join(libraryDir, f), `infer-web/dist/browser/${f}`));
} catch (err) {
  process.stderr.write(`measure-size: ${err.message}; run npx turbo run build first\n`);
  process.exit(1);
}
const kb = (n) => Math.round((n / 1024) * 10) / 10;
const report = {
  pages: pages.map((p) => ({ page: p.page, gzipKB: kb(p.gzip), files: p.files })),
  libraryBundleGzipKB: kb(library.reduce((sum, f) => sum + f.gzip, 0)),
  library,
  limitKB: LIMIT_KB,
};
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  for (const p of pages) {
    for (const f of p.files)
      process.stdout.write(
        `${p.page.padEnd(14)} ${f.file.padEnd(38)} ${kb(f.bytes)} KB  gzip ${kb(f.gzip)} KB\n`,
      );
    process.stdout.write(
      `${p.page}: our JS (onnxruntime excluded) ${kb(p.gzip)} KB gzipped (limit ${LIMIT_KB} KB)\n`,
    );
  }
  process.stdout.write(
    `library bundle @conv3d/infer-web/dist/browser: ${report.libraryBundleGzipKB} KB gzipped\n`,
  );
}
if (pages.some((p) => p.gzip > LIMIT_KB * 1024)) process.exit(1);
