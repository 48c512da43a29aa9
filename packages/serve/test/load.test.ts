// A short run of a standard HTTP load generator (autocannon) against the server on loopback.
import { load, type NodeClassifier } from '@conv3d/infer-node';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Conv3dServer, createServer } from '../src/index.js';
import { binaryBody, bytesOf, ROWS, TINY } from './helpers.js';

const REQUESTS = 1000;

describe('under autocannon load', () => {
  let server: Conv3dServer;
  let classifier: NodeClassifier;
  let url: string;
  beforeAll(async () => {
    server = createServer({ name: 'tiny' });
    classifier = await load(TINY, {
      device: 'cpu',
      workers: 1,
      maxDelayMs: 2,
      onBatch: (b) => server.metrics.batch(b),
    });
    server.attach(classifier);
    url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server.close();
    await classifier.dispose();
  });

  it(`answers ${REQUESTS} binary batch-1 requests at 16 connections with no error, coalescing them`, async () => {
    const row = Float32Array.from(ROWS[0] as number[]);
    const { body, headerLength } = binaryBody(
      {
        inputs: [
          {
            name: 'raw',
            shape: [1, 4096],
            datatype: 'FP32',
            parameters: { binary_data_size: row.byteLength },
          },
        ],
        outputs: [{ name: 'probabilities', parameters: { classification: 1 } }],
      },
      bytesOf(row),
    );
    const result = await autocannon({
      url: `${url}/v2/models/tiny/infer`,
      method: 'POST',
      headers: { 'inference-header-content-length': String(headerLength) },
      body,
      connections: 16,
      amount: REQUESTS,
      timeout: 10,
    });
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBe(REQUESTS);
    const metrics = (await server.app.inject('/metrics')).body;
    const count = Number(metrics.match(/^conv3d_serve_batch_requests_count (\d+)$/m)?.[1]);
    const sum = Number(metrics.match(/^conv3d_serve_batch_requests_sum (\d+)$/m)?.[1]);
    expect(sum).toBe(REQUESTS);
    // 16 concurrent clients and one worker: batches hold several requests on average.
    expect(sum / count).toBeGreaterThan(2);
  });
});
