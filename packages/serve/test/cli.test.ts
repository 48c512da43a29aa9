// The real conv3d-serve CLI (the built package, through its bin shim), spawned as users run it.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer as createTcpServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROWS, TINY } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/conv3d-serve.js', import.meta.url));
const MISSING_METADATA = fileURLToPath(
  new URL('../../infer-node/fixtures/missing-metadata.onnx', import.meta.url),
);

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Starts the CLI; resolves once it printed its ready line, with the port it listens on. */
function start(args: string[]): Promise<{ child: ChildProcess; port: number; stdout: () => string }> {
  const child = spawn(process.execPath, [BIN, TINY, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 20 s: ${out}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/)?.[1];
      if (port !== undefined && out.includes('ready (provider')) {
        clearTimeout(timer);
        resolve({ child, port: Number(port), stdout: () => out });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ready: ${out}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
  });

describe('conv3d-serve CLI', () => {
  it.each([
    [[], /^conv3d-serve: expected one model file, got 0 arguments; usage: conv3d-serve model.onnx/],
    [[TINY, '--port', 'abc'], /^conv3d-serve: --port must be an integer ≥ 0, got 'abc'; usage:/],
    [[TINY, '--port', '70000'], /^conv3d-serve: --port must be at most 65535/],
    [[TINY, '--workers=-1'], /^conv3d-serve: --workers must be an integer ≥ 0, got '-1'/],
    [[TINY, '--max-batch', '0'], /^conv3d-serve: --max-batch must be an integer ≥ 1/],
    [[TINY, '--max-delay-ms', 'x'], /^conv3d-serve: --max-delay-ms must be a non-negative number/],
    [[TINY, '--device', 'tpu'], /^conv3d-serve: --device must be auto, cuda or cpu, got 'tpu'/],
    [[TINY, '--bogus'], /^conv3d-serve: Unknown option '--bogus'/],
  ])('usage error %j exits 2 with one line', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: conv3d-serve model.onnx/);
  });

  it.each([
    [
      ['/nonexistent/model.onnx'],
      /^conv3d-serve: \/nonexistent\/model.onnx: cannot read the model: file not found$/,
    ],
    [[MISSING_METADATA], /missing-metadata.onnx: metadata 'conv3d.labels' is missing/],
  ])('a model it cannot load (%j) exits 1 with one line', async (args, message) => {
    const { code, stderr } = await run([...args, '--port', '0']);
    expect(code).toBe(1);
    expect(stderr.trimEnd()).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a port in use exits 1 with one line', async () => {
    const blocker = createTcpServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const { code, stderr } = await run([TINY, '--port', String(port)]);
    blocker.close();
    expect(code).toBe(1);
    expect(stderr.trimEnd()).toMatch(
      new RegExp(`^conv3d-serve: cannot listen on 127.0.0.1:${port}: .*EADDRINUSE`),
    );
  });

  it('on SIGTERM stops accepting, answers the requests in flight, then exits 0', async () => {
    // Requests wait up to 400 ms in the batcher: SIGTERM lands while all of them are in flight.
    const { child, port, stdout } = await start(['--workers', '1', '--max-delay-ms', '400']);
    const url = `http://127.0.0.1:${port}/v2/models/tiny/infer`;
    const body = JSON.stringify({
      inputs: [{ name: 'raw', shape: [1, 4096], datatype: 'FP32', data: ROWS[0] }],
    });
    const exit = exited(child);
    const inFlight = Array.from({ length: 6 }, () => fetch(url, { method: 'POST', body }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    child.kill('SIGTERM');
    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const answers = await Promise.all(
      responses.map((r) => r.json() as Promise<{ outputs: { shape: number[] }[] }>),
    );
    expect(answers.every((a) => a.outputs[0]?.shape.join() === '1,10')).toBe(true);
    expect(await exit).toBe(0);
    expect(stdout()).toMatch(/SIGTERM: draining in-flight requests\nconv3d-serve: stopped\n$/);
    await expect(fetch(`http://127.0.0.1:${port}/v2/health/live`)).rejects.toThrow();
  });
});
