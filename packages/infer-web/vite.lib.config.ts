// The ESM library bundle for browsers: our code and the shared @conv3d/core in one file, onnxruntime-web
// left to the application's bundler (its wasm files are hosted by the application; see README).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  resolve: { conditions: ['source', 'module', 'browser', 'import', 'default'] },
  build: {
    outDir: 'dist/browser',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    lib: {
      // The worker entry is its own file: pages start it with new Worker(url, { type: 'module' }).
      entry: {
        'infer-web': fileURLToPath(new URL('src/index.ts', import.meta.url)),
        'segment-worker': fileURLToPath(new URL('src/segment-worker.ts', import.meta.url)),
      },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: {
      external: [/^onnxruntime-web(\/.*)?$/],
      // The code both entries share (@conv3d/core and the segmenter) under a stable name.
      output: { chunkFileNames: 'infer-web-shared.js' },
    },
  },
});
