#!/usr/bin/env node
// Measures our own JavaScript in the built output, gzipped (level 9, per file, as a server would send it):
// every .js/.mjs under dist/demo except onnxruntime's copied files in dist/demo/ort/, and @conv3d/infer-web's library
// bundle.
// Usage: node scripts/measure-size.mjs [--json]   (after npm run build)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const LIMIT_KB = 150;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const libraryBundle = join(
  dirname(createRequire(import.meta.url).resolve('@conv3d/infer-web/package.json')),
  'dist',
  'browser',
  'infer-web.js',
);

function jsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'ort' ? [] : jsFiles(path);
    return /\.m?js$/.test(name) ? [path] : [];
  });
}

function measure(files) {
  return files.map((path) => {
    const bytes = readFileSync(path);
    return {
      file: relative(dist, path).replace(/^(\.\.\/)+/, ''),
      bytes: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
    };
  });
}

let demo;
let library;
try {
  demo = measure(jsFiles(join(dist, 'demo')));
  library = measure([libraryBundle]);
} catch (err) {
  process.stderr.write(`measure-size: ${err.message}; run npx turbo run build first\n`);
  process.exit(1);
}
const kb = (n) => Math.round((n / 1024) * 10) / 10;
const demoGzip = demo.reduce((sum, f) => sum + f.gzip, 0);
const report = {
  demoPageJsGzipKB: kb(demoGzip),
  libraryBundleGzipKB: kb(library[0].gzip),
  limitKB: LIMIT_KB,
  files: [...demo, ...library].map((f) => ({ ...f, bytesKB: kb(f.bytes), gzipKB: kb(f.gzip) })),
};
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  for (const f of report.files)
    process.stdout.write(`${f.file.padEnd(40)} ${f.bytesKB} KB  gzip ${f.gzipKB} KB\n`);
  process.stdout.write(
    `our JS on the demo page (onnxruntime excluded): ${report.demoPageJsGzipKB} KB gzipped (limit ${LIMIT_KB} KB)\n` +
      `library bundle @conv3d/infer-web/dist/browser/infer-web.js: ${report.libraryBundleGzipKB} KB gzipped\n`,
  );
}
if (demoGzip > LIMIT_KB * 1024) process.exit(1);
