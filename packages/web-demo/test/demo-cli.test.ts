// `conv3d-web-demo` as users run it: it serves the demo (isolated only when asked) and fails with a message
// naming the problem.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_MODEL } from '../src/node/paths.js';

const CLI = fileURLToPath(new URL('../bin/conv3d-web-demo.js', import.meta.url));
let running: ChildProcess | undefined;

afterEach(() => {
  running?.kill('SIGTERM');
  running = undefined;
});

/** Starts the CLI on a free port and resolves with the URL it prints. */
function serve(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [CLI, '--model', TEST_MODEL, '--port', '0', ...args]);
  running = child;
  return new Promise((done, fail) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
      if (url) done(url);
    });
    child.on('exit', (code) => fail(new Error(`conv3d-web-demo exited with ${code}`)));
  });
}

describe('conv3d-web-demo', () => {
  it('serves the demo and the model, without COOP/COEP by default', async () => {
    const url = await serve([]);
    const page = await fetch(new URL('index.html', url));
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-opener-policy')).toBeNull();
    const model = await fetch(new URL('model.onnx', url));
    expect(model.status).toBe(200);
    expect((await model.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('sends COOP/COEP with --cross-origin-isolated', async () => {
    const url = await serve(['--cross-origin-isolated']);
    const page = await fetch(new URL('index.html', url));
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it.each([
    [['--port', 'x'], 2, "conv3d-web-demo: --port 'x' is not a port number"],
    [['--model', '/nonexistent/m.onnx'], 1, 'conv3d-web-demo: model /nonexistent/m.onnx not found'],
    [['--bogus'], 2, "conv3d-web-demo: Unknown option '--bogus'"],
  ])('%j fails with one line naming the problem, exit %i (2: usage, 1: failure)', (args, code, message) => {
    const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    expect(result.status).toBe(code);
    expect(result.stderr.split('\n')[0]).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help prints the usage and exits 0', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      'usage: conv3d-web-demo [--model model.onnx] [--segmenter segmenter.onnx] [--port 8400] [--cross-origin-isolated]\n',
    );
  });
});
