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
      entry: fileURLToPath(new URL('src/index.ts', import.meta.url)),
      formats: ['es'],
      fileName: () => 'infer-web.js',
    },
    rollupOptions: { external: [/^onnxruntime-web(\/.*)?$/] },
  },
});
