// The demo's static file server: 127.0.0.1 only, files under one directory only, a strict CSP.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

export const HOST = '127.0.0.1';

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// 'wasm-unsafe-eval' lets onnxruntime compile its wasm; nothing else may evaluate code. blob: workers are
// onnxruntime's proxy/thread workers, only used when the page opts in.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// Opt-in only: isolation makes Chromium switch the page to a new browsing context group at navigation, which
// delayed the demo's first prediction by 0.13–0.22 s on 2 cores (BENCHMARKS.md); and there one wasm thread is as
// fast as two.
const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export interface StaticServerOptions {
  /** Directory whose files are served; nothing outside it is. */
  root: string;
  /** Extra URL paths mapped to single files outside root, e.g. { '/model.onnx': '/path/model.onnx' }. */
  files?: Readonly<Record<string, string>>;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Send COOP/COEP so pages are cross-origin isolated: needed for onnxruntime's wasm threads (numThreads > 1). */
  crossOriginIsolated?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startStaticServer(options: StaticServerOptions): Promise<RunningServer> {
  const root = await realpath(resolve(options.root));
  const files = new Map(Object.entries(options.files ?? {}));
  const headers = options.crossOriginIsolated
    ? { ...SECURITY_HEADERS, ...ISOLATION_HEADERS }
    : SECURITY_HEADERS;
  const server = createServer((req, res) => {
    handle(root, files, headers, req, res).catch(() => send(res, headers, 500, 'internal error'));
  });
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}/`,
    port,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((err) => (err ? fail(err) : done()));
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, HOST, () => {
      server.off('error', fail);
      done();
    });
  });
}

async function handle(
  root: string,
  files: ReadonlyMap<string, string>,
  headers: Readonly<Record<string, string>>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, headers, 405, 'method not allowed');
  }
  const urlPath = decodePath(req.url ?? '/');
  if (urlPath === null) return send(res, headers, 400, 'bad request');
  const mapped = files.get(urlPath);
  const file = mapped ?? (await fileUnder(root, urlPath === '/' ? '/index.html' : urlPath));
  if (file === null) return send(res, headers, 404, 'not found');
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return send(res, headers, 404, 'not found');
    size = info.size;
  } catch {
    return send(res, headers, 404, 'not found');
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  // 1 MB reads: the wasm files are 14–27 MB.
  createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
}

/** The decoded path of a request URL, or null when it is malformed or tries to leave the root. */
export function decodePath(rawUrl: string): string | null {
  const raw = rawUrl.split(/[?#]/, 1)[0] ?? '';
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return null;
  if (path.split('/').some((segment) => segment === '..')) return null;
  return path;
}

// Resolves against the real root and re-checks after following symlinks, so a link can't point outside either.
async function fileUnder(root: string, urlPath: string): Promise<string | null> {
  const candidate = resolve(root, `.${urlPath}`);
  if (!candidate.startsWith(root + sep)) return null;
  try {
    const real = await realpath(candidate);
    return real.startsWith(root + sep) ? real : null;
  } catch {
    return null;
  }
}

function send(
  res: ServerResponse,
  headers: Readonly<Record<string, string>>,
  status: number,
  text: string,
): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}
