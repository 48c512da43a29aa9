// The v2 (KServe / Triton) REST protocol on Fastify, over one conv3d classifier or segmenter.
import { readFileSync } from 'node:fs';
import { InputError, isPooled, type NodeClassifier, type NodeSegmenter } from '@conv3d/infer-node';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { RequestError } from './errors.js';
import { createMetrics, type Metrics } from './metrics.js';
import {
  INPUT_NAME,
  isSegmenter,
  MODEL_VERSION,
  type ModelInfo,
  modelMetadata,
  OUTPUT_NAME,
  rowLength,
  type ServedModel,
  VOLUME_INPUT,
} from './model-info.js';
import { HEADER_LENGTH, parseInferRequest, splitBody } from './protocol/request.js';
import { buildResponse, type InferResponse } from './protocol/response.js';
import { buildSegmentResponse, parseSegmentRequest } from './protocol/segment.js';

const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
export const SERVER_NAME = 'conv3d-serve';
export const EXTENSIONS = ['binary_tensor_data', 'classification'];
/** 64 MiB: about 2 000 rows of 4096 FP64 values in binary, ~700 in JSON. */
export const DEFAULT_BODY_LIMIT = 64 * 2 ** 20;
/**
 * A segmenter's default: 160 MiB, a 256³ volume in binary data as FP32 (64 MiB, 67 MB) or FP64 (128 MiB) plus its
 * JSON header. The same volume as JSON numbers is ~150 MB of text and more to parse: send volumes as binary.
 */
export const DEFAULT_SEGMENT_BODY_LIMIT = 160 * 2 ** 20;

export interface ServerOptions {
  /** The model's name in URLs (/v2/models/{name}). */
  name: string;
  /** Largest request body in bytes; larger ones get a 400. */
  bodyLimit?: number;
  metrics?: Metrics;
}

export interface Conv3dServer {
  app: FastifyInstance;
  metrics: Metrics;
  /** Makes the model (a classifier or a segmenter) ready: until then the ready probes and model routes say 503. */
  attach(model: ServedModel): void;
  /** Stops accepting connections; resolves once every request in flight was answered. */
  close(): Promise<void>;
}

interface ModelParams {
  name: string;
  version?: string;
}

export function createServer(options: ServerOptions): Conv3dServer {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const metrics = options.metrics ?? createMetrics();
  const app = Fastify({ bodyLimit, logger: false });
  let model: ModelInfo | undefined;
  let workers = 0;
  let closing = false;

  // Every body is read as bytes: a v2 client may send JSON with any content type, or JSON + binary tensor data.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const [status, message] = describe(error, bodyLimit);
    if (status === 500) process.stderr.write(`${SERVER_NAME}: ${error.stack ?? message}\n`);
    return sendError(reply, status, message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `no route ${request.method} ${request.url.split('?', 1)[0]}`),
  );
  // A keep-alive connection answered while closing is closed after its response: the server's close waits for
  // every connection, and a client would otherwise hold it open for the keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  /** The loaded model a /v2/models/{name}[/versions/{version}] URL names; 404 or 503 otherwise. */
  const named = ({ name, version }: ModelParams): ModelInfo => {
    if (name !== options.name)
      throw new RequestError(404, `unknown model '${name}'; this server serves '${options.name}'`);
    if (version !== undefined && version !== MODEL_VERSION) {
      throw new RequestError(404, `model '${name}' has no version '${version}'; it has '${MODEL_VERSION}'`);
    }
    if (model === undefined) throw new RequestError(503, `model '${name}' is still loading`);
    return model;
  };

  app.get('/v2/health/live', async () => ({ live: true }));
  // Ready: loaded, and (with a pool) not broken, so a balancer stops sending requests to a server whose workers
  // can no longer load the model. A worker being replaced is no reason: its calls wait and are retried.
  const isReady = (): boolean =>
    model !== undefined && (!isPooled(model.model) || !model.model.stats().broken);
  app.get('/v2/health/ready', async (_request, reply) => {
    const ready = isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  const serverMetadata = async () => ({
    name: SERVER_NAME,
    version: PACKAGE.version,
    extensions: EXTENSIONS,
  });
  app.get('/v2', serverMetadata);
  app.get('/v2/', serverMetadata);
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    app.get<{ Params: ModelParams }>(base, async (request) => modelMetadata(named(request.params), workers));
    app.get<{ Params: ModelParams }>(`${base}/ready`, async (request, reply) => {
      const { name, version } = request.params;
      try {
        named(request.params);
      } catch (error) {
        if (error instanceof RequestError && error.status === 503)
          return reply.code(503).send({ name, ready: false });
        throw error;
      }
      const ready = isReady();
      return reply
        .code(ready ? 200 : 503)
        .send({ name, ...(version === undefined ? {} : { version }), ready });
    });
    app.post<{ Params: ModelParams; Body: Buffer }>(`${base}/infer`, async (request, reply) => {
      const info = named(request.params);
      if (!isReady()) throw new RequestError(503, `model '${info.name}' has no worker able to run it`);
      const headerLength = request.headers[HEADER_LENGTH];
      const { header, binary } = splitBody(
        request.body ?? Buffer.alloc(0),
        Array.isArray(headerLength) ? headerLength[0] : headerLength,
      );
      metrics.inferStarted();
      let response: InferResponse;
      try {
        response = isSegmenter(info.model)
          ? await segment(info, info.model, header, binary)
          : await classify(info, info.model, header, binary);
      } finally {
        metrics.inferEnded();
      }
      if (response.binary.length === 0) return reply.type('application/json').send(response.json);
      const json = Buffer.from(response.json, 'utf8');
      return reply
        .type('application/octet-stream')
        .header('Inference-Header-Content-Length', String(json.byteLength))
        .send(Buffer.concat([json, ...response.binary]));
    });
  }

  async function classify(
    info: ModelInfo,
    classifier: NodeClassifier,
    header: Parameters<typeof parseInferRequest>[0],
    binary: Uint8Array,
  ): Promise<InferResponse> {
    const parsed = parseInferRequest(header, binary, info);
    if (!isPooled(classifier)) metrics.batch({ samples: parsed.count, requests: 1 });
    return buildResponse(parsed, await classifier.predict(parsed.rows), info);
  }

  async function segment(
    info: ModelInfo,
    segmenter: NodeSegmenter,
    header: Parameters<typeof parseSegmentRequest>[0],
    binary: Uint8Array,
  ): Promise<InferResponse> {
    const parsed = parseSegmentRequest(header, binary, info);
    const wantsProbabilities = parsed.outputs.some((o) => o.name === OUTPUT_NAME);
    try {
      const result = await segmenter.segment(parsed.volume, {
        ...parsed.options,
        output: wantsProbabilities ? 'probabilities' : 'labels',
      });
      return buildSegmentResponse(parsed, result, info);
    } catch (error) {
      // Bad window options (roi, overlap, blend, batch) are the request's fault.
      if (error instanceof RangeError) throw new RequestError(400, error.message);
      throw error;
    }
  }

  return {
    app,
    metrics,
    attach(served) {
      workers = isPooled(served) ? served.workers : 0;
      model = {
        name: options.name,
        rowLength: rowLength(served),
        labels: served.contract.labels,
        model: served,
      };
      metrics.attach(served, workers);
    },
    close() {
      closing = true;
      return app.close();
    },
  };
}

function describe(error: FastifyError, bodyLimit: number): [number, string] {
  if (error instanceof RequestError) return [error.status, error.message];
  if (error instanceof InputError) {
    const input = error.message.startsWith('segment:') ? VOLUME_INPUT : INPUT_NAME;
    return [400, `input '${input}': ${error.message}`];
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return [400, `the request body is larger than the server's limit of ${bodyLimit} bytes`];
  }
  const first = error.message.split('\n', 1)[0] ?? '';
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return [error.statusCode === 404 ? 404 : 400, first];
  }
  return [500, first];
}

function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .type('application/json')
    .send(JSON.stringify({ error: message }));
}
