// The demo page and the browser-test harness page, built into dist/demo. onnxruntime-web is not bundled: its ESM
// build, glue and wasm are copied verbatim into dist/demo/ort/ and our chunks import it from there, so the page
// never touches a CDN and "our JS" (everything outside ort/) can be measured on its own.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** onnxruntime-web's builds we use, mapped to their ESM entry files in dist/demo/ort/. */
const ORT_ENTRIES: Readonly<Record<string, string>> = {
  'onnxruntime-web/webgpu': 'ort.webgpu.min.mjs',
  'onnxruntime-web/wasm': 'ort.wasm.min.mjs',
};
/** The files those builds load at run time: their ESM entries, emscripten glue and wasm. */
const ORT_FILES = [
  ...Object.values(ORT_ENTRIES),
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
];

// Chunks (and the worker) live in assets/, so the copied onnxruntime entry is one level up.
const ORT_EXTERNAL = {
  external: Object.keys(ORT_ENTRIES),
  output: {
    paths: Object.fromEntries(Object.entries(ORT_ENTRIES).map(([id, file]) => [id, `../ort/${file}`])),
  },
};

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'dist', 'demo');

function copyOnnxruntime(): Plugin {
  return {
    name: 'conv3d-copy-onnxruntime',
    apply: 'build',
    writeBundle() {
      const require = createRequire(import.meta.url);
      const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm'));
      mkdirSync(join(outDir, 'ort'), { recursive: true });
      for (const file of ORT_FILES) copyFileSync(join(ortDist, file), join(outDir, 'ort', file));
    },
  };
}

export default defineConfig({
  root: join(here, 'demo'),
  base: './',
  // Static files copied as they are: the bundled test samples (kept under fixtures/, like other data files).
  publicDir: join(here, 'demo', 'fixtures'),
  resolve: { conditions: ['source', 'module', 'browser', 'import', 'default'] },
  plugins: [copyOnnxruntime()],
  // The segmentation worker imports onnxruntime-web from the same copied files as the pages.
  worker: {
    format: 'es',
    rollupOptions: ORT_EXTERNAL,
  },
  build: {
    outDir,
    emptyOutDir: true,
    // .vite/manifest.json: which chunks each page loads, for scripts/measure-size.mjs.
    manifest: true,
    target: 'es2022',
    // three.js's WebGL renderer alone is ~550 kB minified; the gzipped budget is checked by scripts/measure-size.mjs.
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      input: {
        index: join(here, 'demo', 'index.html'),
        segment: join(here, 'demo', 'segment.html'),
        harness: join(here, 'demo', 'harness.html'),
      },
      ...ORT_EXTERNAL,
    },
  },
});
