#!/usr/bin/env node
// `conv3d-web-demo [--model model.onnx] [--segmenter seg.onnx] [--port 8400] [--cross-origin-isolated]`: serves the
// built demo pages (classifier and segmentation view) on 127.0.0.1. On the shared CLI skeleton: a bad flag exits 2, a missing model or build exits 1.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommandLine, runMain, UsageError } from '@conv3d/core/node';
import { DEMO_DIR, THRESHOLD_SEGMENTER } from './paths.js';
import { startStaticServer } from './static-server.js';

const USAGE =
  'usage: conv3d-web-demo [--model model.onnx] [--segmenter segmenter.onnx] [--port 8400] [--cross-origin-isolated]';
const DEFAULT_MODEL = '../export-onnx/artifacts/model.onnx';

await runMain({ name: 'conv3d-web-demo', usage: USAGE }, async (argv, io) => {
  const { values } = parseCommandLine(argv, {
    options: {
      model: { type: 'string' },
      segmenter: { type: 'string' },
      port: { type: 'string' },
      'cross-origin-isolated': { type: 'boolean' },
    },
  });
  const port = Number(values.port ?? '8400');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port '${values.port}' is not a port number`);
  }
  const model = resolve(values.model ?? DEFAULT_MODEL);
  if (!existsSync(model) || !statSync(model).isFile()) {
    throw new Error(
      `model ${model} not found: run \`npx turbo run export\` first, or pass --model fixtures/test-model.onnx (untrained)`,
    );
  }
  const segmenter = resolve(values.segmenter ?? THRESHOLD_SEGMENTER);
  if (!existsSync(segmenter) || !statSync(segmenter).isFile())
    throw new Error(`segmenter ${segmenter} not found`);
  if (!existsSync(`${DEMO_DIR}/index.html`))
    throw new Error(`${DEMO_DIR}/index.html not found: run \`npm run build\` first`);
  const server = await startStaticServer({
    root: DEMO_DIR,
    files: { '/model.onnx': model, '/segmenter.onnx': segmenter },
    port,
    crossOriginIsolated: values['cross-origin-isolated'] ?? false,
  });
  io.log(
    `conv3d demo: ${server.url} (model ${model}), segmentation view ${server.url}segment.html (${segmenter}); Ctrl+C stops it`,
  );
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
