// The demo server: loopback only, no path traversal (plain, encoded, double-encoded), CSP, MIME types and
// opt-in cross-origin isolation.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePath, type RunningServer, startStaticServer } from '../src/node/static-server.js';

// root/ is served; secret.txt beside it must never be.
const base = mkdtempSync(join(tmpdir(), 'conv3d-server-'));
const root = join(base, 'root');
let server: RunningServer;

beforeAll(async () => {
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'assets', 'a.js'), 'export {};');
  writeFileSync(join(root, 'assets', 'x.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d]));
  writeFileSync(join(base, 'secret.txt'), 'SECRET');
  writeFileSync(join(base, 'model.onnx'), 'MODEL');
  symlinkSync(join(base, 'secret.txt'), join(root, 'link.txt'));
  server = await startStaticServer({ root, files: { '/model.onnx': join(base, 'model.onnx') } });
});

afterAll(async () => {
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

/** Sends the request line exactly as written (no client-side normalisation of dot segments). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const socket = connect(server.port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('end', () => done({ status: Number(text.split(' ')[1]), body: text }));
    socket.on('error', fail);
  });
}

function get(path: string, method = 'GET') {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((done, fail) => {
    const req = request(new URL(path, server.url), { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('static server', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves index.html with a CSP that allows wasm and nothing inline', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('is not cross-origin isolated unless asked (COOP/COEP only with crossOriginIsolated)', async () => {
    const plain = await get('/');
    expect(plain.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(plain.headers['cross-origin-embedder-policy']).toBeUndefined();
    const isolated = await startStaticServer({ root, crossOriginIsolated: true });
    try {
      for (const path of ['/', '/missing']) {
        const res = await get(new URL(path, isolated.url).href);
        expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
      }
    } finally {
      await isolated.close();
    }
  });

  it('sends correct MIME types, including application/wasm', async () => {
    expect((await get('/assets/x.wasm')).headers['content-type']).toBe('application/wasm');
    expect((await get('/assets/a.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    const model = await get('/model.onnx');
    expect(model.body).toBe('MODEL');
    expect(model.headers['content-type']).toBe('application/octet-stream');
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/%252e%252e/secret.txt',
    '/link.txt',
    '/assets%00.js',
    '/%ff',
  ])('never serves %s from outside the root', async (path) => {
    const res = await rawGet(path);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('SECRET');
  });

  it('answers 404 for missing files and directories, 405 for other methods', async () => {
    expect((await get('/nope.js')).status).toBe(404);
    expect((await get('/assets')).status).toBe(404);
    expect((await get('/', 'POST')).status).toBe(405);
    expect((await get('/', 'HEAD')).status).toBe(200);
  });

  it('decodes paths and refuses dot segments', () => {
    expect(decodePath('/a%20b.js?x=1')).toBe('/a b.js');
    expect(decodePath('/a/%2e%2e/b')).toBeNull();
    expect(decodePath('/%E0%A4%A')).toBeNull();
  });
});
