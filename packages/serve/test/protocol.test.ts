import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { load, type NodeClassifier, type PoolClassifier } from '@conv3d/infer-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Conv3dServer, createServer } from '../src/index.js';
import { ARGMAX, binaryBody, bytesOf, maxAbsDiff, PROBABILITIES, ROWS, TINY, toHalf } from './helpers.js';

// The server runs the same classifier as infer-node, checked there against the float64 numpy reference at 1e-5.
const TOLERANCE = 1e-5;
const V = 4096;
const INFER = '/v2/models/tiny/infer';

interface Output {
  name: string;
  datatype: string;
  shape: number[];
  data?: (number | string)[];
  parameters?: { binary_data_size?: number };
}
interface InferBody {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: Output[];
}

function expectReference(probabilities: ArrayLike<number>, samples: number[]): void {
  samples.forEach((s, i) => {
    const row = Array.from(probabilities).slice(i * 10, (i + 1) * 10);
    expect(maxAbsDiff(row, PROBABILITIES[s] as number[])).toBeLessThanOrEqual(TOLERANCE);
  });
}

describe('v2 protocol', () => {
  let server: Conv3dServer;
  let classifier: NodeClassifier;
  beforeAll(async () => {
    server = createServer({ name: 'tiny', bodyLimit: 200_000 });
    classifier = await load(TINY, { device: 'cpu', workers: 1, onBatch: (b) => server.metrics.batch(b) });
  });
  afterAll(async () => {
    await server.app.close();
    await classifier.dispose();
  });

  const post = (payload: object | string | Buffer, headers: Record<string, string> = {}, url = INFER) =>
    server.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'object' && !Buffer.isBuffer(payload) ? JSON.stringify(payload) : payload,
    });

  it('is live at once, and not ready (503) until the model is attached', async () => {
    expect((await server.app.inject('/v2/health/live')).json()).toEqual({ live: true });
    const notReady = await server.app.inject('/v2/health/ready');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ ready: false });
    expect((await server.app.inject('/v2/models/tiny/ready')).statusCode).toBe(503);
    const early = await post({ inputs: [] });
    expect(early.statusCode).toBe(503);
    expect(early.json()).toEqual({ error: "model 'tiny' is still loading" });
    server.attach(classifier);
    expect((await server.app.inject('/v2/health/ready')).json()).toEqual({ ready: true });
    const ready = await server.app.inject('/v2/models/tiny/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ name: 'tiny', ready: true });
    expect((await server.app.inject('/v2/models/tiny/versions/1/ready')).statusCode).toBe(200);
  });

  it('serves server and model metadata in the protocol shapes, with the labels', async () => {
    expect((await server.app.inject('/v2')).json()).toEqual({
      name: 'conv3d-serve',
      version: '0.1.0',
      extensions: ['binary_tensor_data', 'classification'],
    });
    const metadata = (await server.app.inject('/v2/models/tiny')).json();
    expect(metadata).toEqual({
      name: 'tiny',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'raw', datatype: 'FP32', shape: [-1, V] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 10] }],
      parameters: {
        task: 'classify',
        labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
        grid: [16, 16, 16],
        raw_channels: 1,
        preprocessing: 'oranges-rgb',
        input_kind: 'preprocessed',
        // tiny.onnx predates contract v2: it loads as the seed contract, version 1.
        contract_version: 1,
        provider: 'cpu',
        workers: 1,
      },
    });
    expect((await server.app.inject('/v2/models/tiny/versions/1')).json()).toEqual(metadata);
  });

  it('answers a JSON request shaped as in the v2 docs (flat data) with [N, K] probabilities', async () => {
    const response = await post({
      id: '42',
      inputs: [
        { name: 'raw', shape: [2, V], datatype: 'FP32', data: [...(ROWS[0] ?? []), ...(ROWS[1] ?? [])] },
      ],
      outputs: [{ name: 'probabilities' }],
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json<InferBody>();
    expect(body).toMatchObject({ model_name: 'tiny', model_version: '1', id: '42' });
    const [out] = body.outputs;
    expect(out).toMatchObject({ name: 'probabilities', datatype: 'FP32', shape: [2, 10] });
    expectReference(out?.data as number[], [0, 1]);
  });

  it('takes nested data, FP64 and the integer datatypes, and answers without "outputs" too', async () => {
    const nested = await post({
      inputs: [{ name: 'raw', shape: [3, V], datatype: 'FP64', data: ROWS.slice(2, 5) }],
    });
    expectReference(nested.json<InferBody>().outputs[0]?.data as number[], [2, 3, 4]);
    const binaryRows = ROWS.slice(0, 2).map((row) => row.map((v) => (v > 0.5 ? 1 : 0)));
    const reference = await post({
      inputs: [{ name: 'raw', shape: [2, V], datatype: 'FP32', data: binaryRows }],
    });
    const expected = reference.json<InferBody>().outputs[0]?.data as number[];
    for (const datatype of [
      'UINT8',
      'INT8',
      'INT16',
      'UINT16',
      'INT32',
      'UINT32',
      'INT64',
      'UINT64',
      'FP16',
    ]) {
      const response = await post({ inputs: [{ name: 'raw', shape: [2, V], datatype, data: binaryRows }] });
      expect(response.statusCode, datatype).toBe(200);
      expect(response.json<InferBody>().outputs[0]?.data, datatype).toEqual(expected);
    }
  });

  it('gives the labels through the classification extension ("value:index:label", highest first)', async () => {
    const response = await post({
      inputs: [{ name: 'raw', shape: [2, V], datatype: 'FP32', data: ROWS.slice(0, 2) }],
      outputs: [{ name: 'probabilities', parameters: { classification: 3 } }],
    });
    const [out] = response.json<InferBody>().outputs;
    expect(out).toMatchObject({ name: 'probabilities', datatype: 'BYTES', shape: [2, 3] });
    const entries = ((out?.data ?? []) as string[]).map((text) => text.split(':'));
    [0, 1].forEach((s) => {
      const top = entries.slice(s * 3, s * 3 + 3);
      expect(Number(top[0]?.[1])).toBe(ARGMAX[s]);
      expect(top[0]?.[2]).toBe(String(ARGMAX[s]));
      const values = top.map((e) => Number(e[0]));
      expect(values).toEqual([...values].sort((a, b) => b - a));
      top.forEach((e) => {
        expect(Math.abs(Number(e[0]) - (PROBABILITIES[s]?.[Number(e[1])] as number))).toBeLessThanOrEqual(
          TOLERANCE,
        );
      });
    });
  });

  it('round-trips the binary tensor data extension (FP32 in, binary FP32 and BYTES out)', async () => {
    const rows = Float32Array.from(ROWS.slice(0, 3).flat());
    const { body, headerLength } = binaryBody(
      {
        inputs: [
          { name: 'raw', shape: [3, V], datatype: 'FP32', parameters: { binary_data_size: rows.byteLength } },
        ],
        outputs: [
          { name: 'probabilities', parameters: { binary_data: true } },
          { name: 'probabilities', parameters: { binary_data: true, classification: 1 } },
          { name: 'probabilities' },
        ],
      },
      bytesOf(rows),
    );
    const response = await post(body, {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(headerLength),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    const raw = response.rawPayload;
    const jsonLength = Number(response.headers['inference-header-content-length']);
    const header = JSON.parse(raw.subarray(0, jsonLength).toString('utf8')) as InferBody;
    const [probs, top1, json] = header.outputs;
    expect(probs).toEqual({
      name: 'probabilities',
      datatype: 'FP32',
      shape: [3, 10],
      parameters: { binary_data_size: 120 },
    });
    expect(top1).toMatchObject({ datatype: 'BYTES', shape: [3, 1] });
    const binary = raw.subarray(jsonLength);
    expect(binary.byteLength).toBe(120 + (top1?.parameters?.binary_data_size as number));
    const floats = new Float32Array(binary.buffer.slice(binary.byteOffset, binary.byteOffset + 120));
    expectReference(floats, [0, 1, 2]);
    expect(Array.from(floats)).toEqual(json?.data);
    let at = 120;
    [0, 1, 2].forEach((s) => {
      const length = binary.readUInt32LE(at);
      const text = binary.subarray(at + 4, at + 4 + length).toString('utf8');
      expect(text.split(':').slice(1)).toEqual([String(ARGMAX[s]), String(ARGMAX[s])]);
      at += 4 + length;
    });
    expect(at).toBe(binary.byteLength);
  });

  it('decodes binary FP16, FP64 and INT64 inputs, and binary_data_output for every output', async () => {
    const rows = ROWS.slice(0, 2).flat();
    const tensors: [string, Uint8Array][] = [
      ['FP16', bytesOf(toHalf(rows))],
      ['FP64', bytesOf(Float64Array.from(rows))],
    ];
    for (const [datatype, bytes] of tensors) {
      const { body, headerLength } = binaryBody(
        {
          inputs: [
            { name: 'raw', shape: [2, V], datatype, parameters: { binary_data_size: bytes.byteLength } },
          ],
          parameters: { binary_data_output: true },
        },
        bytes,
      );
      const response = await post(body, { 'inference-header-content-length': String(headerLength) });
      expect(response.statusCode, datatype).toBe(200);
      const jsonLength = Number(response.headers['inference-header-content-length']);
      const out = response.rawPayload.subarray(jsonLength);
      expectReference(
        new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)),
        [0, 1],
      );
    }
    const ints = BigInt64Array.from(rows.map((v) => BigInt(v > 0.5 ? 1 : 0)));
    const { body, headerLength } = binaryBody(
      {
        inputs: [
          {
            name: 'raw',
            shape: [2, V],
            datatype: 'INT64',
            parameters: { binary_data_size: ints.byteLength },
          },
        ],
      },
      bytesOf(ints),
    );
    const response = await post(body, { 'inference-header-content-length': String(headerLength) });
    const viaJson = await post({
      inputs: [{ name: 'raw', shape: [2, V], datatype: 'FP32', data: Array.from(ints, Number) }],
    });
    expect(response.json<InferBody>().outputs[0]?.data).toEqual(viaJson.json<InferBody>().outputs[0]?.data);
  });

  describe('bad requests get a 400 or 404 with a one-line {"error"}; the server keeps serving', () => {
    const row = ROWS[0] as number[];
    const good = { inputs: [{ name: 'raw', shape: [1, V], datatype: 'FP32', data: row }] };
    const nanRow = Float32Array.from(row);
    nanRow[7] = Number.NaN;
    const infRow = Float32Array.from(row);
    infRow[9] = Number.NEGATIVE_INFINITY;
    const binaryOf = (values: Float32Array, declared = values.byteLength) =>
      binaryBody(
        {
          inputs: [
            { name: 'raw', shape: [1, V], datatype: 'FP32', parameters: { binary_data_size: declared } },
          ],
        },
        bytesOf(values),
      );
    const asBinary = (
      { body, headerLength }: { body: Buffer; headerLength: number },
      length = String(headerLength),
    ) => [body, { 'inference-header-content-length': length }] as const;
    const cases: [string, () => Promise<{ statusCode: number; body: string }>, number, RegExp][] = [
      [
        'wrong shape',
        () => post({ inputs: [{ ...good.inputs[0], shape: [1, 4095] }] }),
        400,
        /shape \[1,4095\]; expected \[N, 4096\]/,
      ],
      [
        '3-D shape',
        () => post({ inputs: [{ ...good.inputs[0], shape: [1, 16, 256] }] }),
        400,
        /expected \[N, 4096\]/,
      ],
      [
        'data length',
        () => post({ inputs: [{ ...good.inputs[0], shape: [2, V] }] }),
        400,
        /data has 4096 values; its shape needs 8192/,
      ],
      [
        'datatype BYTES',
        () => post({ inputs: [{ ...good.inputs[0], datatype: 'BYTES' }] }),
        400,
        /datatype "BYTES" is not supported; expected one of FP16, FP32/,
      ],
      [
        'non-number data',
        () => post({ inputs: [{ ...good.inputs[0], data: ['a', ...row.slice(1)] }] }),
        400,
        /data\[0\] is "a"; not a value of its datatype/,
      ],
      [
        'UINT8 out of range',
        () => post({ inputs: [{ ...good.inputs[0], datatype: 'UINT8', data: [300, ...row.slice(1)] }] }),
        400,
        /data\[0\] is 300/,
      ],
      [
        'NaN (binary)',
        () => post(...asBinary(binaryOf(nanRow))),
        400,
        /^input 'raw': input sample 0 value 7 is NaN; expected finite values$/,
      ],
      ['-Infinity (binary)', () => post(...asBinary(binaryOf(infRow))), 400, /value 9 is -Infinity/],
      [
        'binary size mismatch',
        () => post(...asBinary(binaryOf(Float32Array.from(row), 100))),
        400,
        /binary_data_size is 100 bytes; shape \[1, 4096\] of FP32 needs 16384/,
      ],
      [
        'binary header past the body',
        () => post(...asBinary(binaryOf(Float32Array.from(row)), '999999')),
        400,
        /Inference-Header-Content-Length is "999999"/,
      ],
      [
        'binary header not a number',
        () => post(...asBinary(binaryOf(Float32Array.from(row)), 'abc')),
        400,
        /Inference-Header-Content-Length is "abc"/,
      ],
      [
        'binary header cutting the JSON',
        () => post(...asBinary(binaryOf(Float32Array.from(row)), '10')),
        400,
        /JSON header is malformed/,
      ],
      [
        'binary data without binary_data_size',
        () => post(...asBinary(binaryBody(good, new Uint8Array(8)))),
        400,
        /8 bytes of binary data but no input declares binary_data_size/,
      ],
      ['malformed JSON', () => post('{"inputs": [', {}), 400, /JSON body is malformed/],
      ['empty body', () => post('', {}), 400, /JSON body is malformed/],
      ['no inputs', () => post({ outputs: [] }), 400, /"inputs" must be a non-empty array/],
      [
        'unknown input',
        () => post({ inputs: [{ ...good.inputs[0], name: 'x' }] }),
        400,
        /unknown input "x"; the model takes 'raw'/,
      ],
      [
        'unknown output',
        () => post({ ...good, outputs: [{ name: 'logits' }] }),
        400,
        /unknown output "logits"/,
      ],
      [
        'classification out of range',
        () => post({ ...good, outputs: [{ name: 'probabilities', parameters: { classification: 11 } }] }),
        400,
        /classification must be an integer from 1 to 10/,
      ],
      [
        'body over the limit',
        () => post({ inputs: [{ ...good.inputs[0], shape: [60, V], data: Array(60).fill(row) }] }),
        400,
        /larger than the server's limit of 200000 bytes/,
      ],
      [
        'unknown model',
        () => post(good, {}, '/v2/models/other/infer'),
        404,
        /^unknown model 'other'; this server serves 'tiny'$/,
      ],
      [
        'unknown version',
        () => post(good, {}, '/v2/models/tiny/versions/7/infer'),
        404,
        /has no version '7'/,
      ],
      ['unknown route', () => server.app.inject('/v3/nothing'), 404, /^no route GET \/v3\/nothing$/],
    ];
    it.each(cases)('%s', async (_name, send, status, message) => {
      const response = await send();
      expect(response.statusCode).toBe(status);
      expect(response.body).not.toContain('\n');
      const body = JSON.parse(response.body) as { error: string };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toMatch(message);
      expect((await post(good)).statusCode).toBe(200);
    });
  });

  it('exposes request counts by status, latency, batch sizes, queue depth and the provider on /metrics', async () => {
    await Promise.all(
      Array.from({ length: 8 }, () =>
        post({ inputs: [{ name: 'raw', shape: [1, V], datatype: 'FP32', data: ROWS[1] }] }),
      ),
    );
    const text = (await server.app.inject('/metrics')).body;
    const value = (pattern: RegExp) => Number(text.match(pattern)?.[1]);
    expect(
      value(
        /conv3d_serve_requests_total\{route="\/v2\/models\/:name\/infer",method="POST",status="200"\} (\d+)/,
      ),
    ).toBeGreaterThan(8);
    expect(
      value(
        /conv3d_serve_requests_total\{route="\/v2\/models\/:name\/infer",method="POST",status="400"\} (\d+)/,
      ),
    ).toBeGreaterThan(10);
    expect(
      value(
        /conv3d_serve_requests_total\{route="\/v2\/models\/:name\/infer",method="POST",status="404"\} (\d+)/,
      ),
    ).toBe(1);
    expect(text).toMatch(/^conv3d_serve_requests_total\{route="unmatched",method="GET",status="404"\} 1$/m);
    expect(
      value(/conv3d_serve_request_duration_seconds_count\{route="\/v2\/models\/:name\/infer"\} (\d+)/),
    ).toBeGreaterThan(20);
    expect(value(/conv3d_serve_batch_size_count (\d+)/)).toBeGreaterThan(0);
    expect(value(/conv3d_serve_batch_size_sum (\d+)/)).toBeGreaterThan(
      value(/conv3d_serve_batch_size_count (\d+)/),
    );
    expect(text).toMatch(/^conv3d_serve_queue_depth 0$/m);
    expect(text).toMatch(/^conv3d_serve_provider\{provider="cpu"\} 1$/m);
    expect(text).toMatch(/^conv3d_serve_workers 1$/m);
    expect(text).toMatch(/^conv3d_serve_process_resident_memory_bytes \d+/m);
  });
});

describe('readiness follows the pool', () => {
  it('turns 503 when no worker can run the model any more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conv3d-serve-'));
    const path = join(dir, 'tiny.onnx');
    copyFileSync(TINY, path);
    const workers: Worker[] = [];
    const classifier = await load(path, { device: 'cpu', workers: 1, onWorker: (w) => workers.push(w) });
    const server = createServer({ name: 'tiny' });
    server.attach(classifier);
    expect((await server.app.inject('/v2/health/ready')).statusCode).toBe(200);
    // The file is gone, so the idle worker's replacement cannot load it.
    rmSync(dir, { recursive: true });
    await workers[0]?.terminate();
    const pool = classifier as PoolClassifier;
    for (let i = 0; i < 500 && !pool.stats().broken; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await server.app.inject('/v2/health/ready')).json()).toEqual({ ready: false });
    expect((await server.app.inject('/v2/models/tiny/ready')).statusCode).toBe(503);
    const infer = await server.app.inject({
      method: 'POST',
      url: INFER,
      payload: JSON.stringify({ inputs: [{ name: 'raw', shape: [1, V], datatype: 'FP32', data: ROWS[0] }] }),
    });
    expect(infer.statusCode).toBe(503);
    expect(infer.json()).toEqual({ error: "model 'tiny' has no worker able to run it" });
    await server.close();
    await classifier.dispose();
  });
});
