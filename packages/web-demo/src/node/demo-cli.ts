#!/usr/bin/env node
// `conv3d-web-demo [--model model.onnx] [--port 8400] [--cross-origin-isolated]`: serves the built demo page on
// 127.0.0.1.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_DIR } from './paths.js';
import { startStaticServer } from './static-server.js';

const USAGE = 'usage: conv3d-web-demo [--model model.onnx] [--port 8400] [--cross-origin-isolated]';
const DEFAULT_MODEL = '../export-onnx/artifacts/model.onnx';

function fail(message: string): never {
  process.stderr.write(`conv3d-web-demo: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let values: { model?: string; port?: string; 'cross-origin-isolated'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        model: { type: 'string' },
        port: { type: 'string' },
        'cross-origin-isolated': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port ?? '8400');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port '${values.port}' is not a port number`);
  const model = resolve(values.model ?? DEFAULT_MODEL);
  if (!existsSync(model) || !statSync(model).isFile()) {
    fail(
      `model ${model} not found: run \`npx turbo run export\` first, or pass --model fixtures/test-model.onnx (untrained)`,
    );
  }
  if (!existsSync(`${DEMO_DIR}/index.html`))
    fail(`${DEMO_DIR}/index.html not found: run \`npm run build\` first`);
  const server = await startStaticServer({
    root: DEMO_DIR,
    files: { '/model.onnx': model },
    port,
    crossOriginIsolated: values['cross-origin-isolated'] ?? false,
  });
  process.stdout.write(`conv3d demo: ${server.url} (model ${model}); Ctrl+C stops it\n`);
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => fail((err as Error).message));
