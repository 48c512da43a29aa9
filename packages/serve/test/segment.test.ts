// conv3d-serve with a segmenter: metadata (task, labels, free dims as -1), one volume in as JSON or binary data,
// the label map (UINT8) and on request the probabilities out, checked against infer-node's float64 numpy reference
// for its fixture (scripts/make-seg-model.py), and one-line 400s for bad volumes and window options.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSegmenter, type NodeSegmenter } from '@conv3d/infer-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Conv3dServer, createServer } from '../src/index.js';
import { binaryBody, bytesOf, maxAbsDiff } from './helpers.js';

const fixtures = (name: string) =>
  fileURLToPath(new URL(`../../infer-node/fixtures/${name}`, import.meta.url));
const expected = JSON.parse(readFileSync(fixtures('seg-expected.json'), 'utf8')) as {
  dims: [number, number, number];
  volume_sixteenths: number[];
  probabilities: number[];
};
const volume = expected.volume_sixteenths.map((v) => v / 16);
const argmax = Array.from({ length: volume.length }, (_, v) => {
  const p = expected.probabilities.slice(v * 3, v * 3 + 3);
  return p.indexOf(Math.max(...p));
});
const INFER = '/v2/models/seg/infer';

describe('serving a segmenter', () => {
  let server: Conv3dServer;
  let segmenter: NodeSegmenter;
  beforeAll(async () => {
    server = createServer({ name: 'seg' });
    segmenter = await loadSegmenter(fixtures('seg-free.onnx'), { device: 'cpu', workers: 1 });
    server.attach(segmenter);
  });
  afterAll(async () => {
    await server.app.close();
    await segmenter.dispose();
  });

  const post = (payload: object | Buffer, headers: Record<string, string> = {}) =>
    server.app.inject({
      method: 'POST',
      url: INFER,
      headers: { 'content-type': 'application/json', ...headers },
      payload: Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    });

  it('describes the task, the labels and the free dims as -1', async () => {
    const meta = (await server.app.inject({ method: 'GET', url: '/v2/models/seg' })).json();
    expect(meta.inputs).toEqual([{ name: 'volume', datatype: 'FP32', shape: [1, -1, -1, -1] }]);
    expect(meta.outputs).toEqual([
      { name: 'labels', datatype: 'UINT8', shape: [1, -1, -1, -1] },
      { name: 'probabilities', datatype: 'FP32', shape: [1, -1, -1, -1, 3] },
    ]);
    expect(meta.parameters).toMatchObject({
      task: 'segment',
      labels: ['background', 'sphere', 'cube'],
      free_size: true,
      voxel_output: 'probabilities',
      grid: [6, 8, 10],
    });
  });

  it('answers a JSON volume with the UINT8 label map [1, D, H, W]', async () => {
    const response = await post({
      id: 'v1',
      inputs: [{ name: 'volume', datatype: 'FP64', shape: [1, ...expected.dims], data: volume }],
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.id).toBe('v1');
    expect(body.outputs).toHaveLength(1);
    expect(body.outputs[0]).toMatchObject({ name: 'labels', datatype: 'UINT8', shape: [1, 9, 11, 13] });
    expect(body.outputs[0].data).toEqual(argmax);
  });

  it('takes and gives binary tensor data: labels and probabilities (1e-5 of numpy)', async () => {
    const data = bytesOf(Float32Array.from(volume));
    const { body, headerLength } = binaryBody(
      {
        inputs: [
          {
            name: 'volume',
            datatype: 'FP32',
            shape: [1, 9, 11, 13, 1],
            parameters: { binary_data_size: data.byteLength },
          },
        ],
        outputs: [{ name: 'labels' }, { name: 'probabilities' }],
        parameters: { binary_data_output: true },
      },
      data,
    );
    const response = await post(body, {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(headerLength),
    });
    expect(response.statusCode).toBe(200);
    const raw = response.rawPayload;
    const jsonLength = Number(response.headers['inference-header-content-length']);
    const header = JSON.parse(raw.subarray(0, jsonLength).toString('utf8'));
    const [labelsOut, probabilitiesOut] = header.outputs;
    expect(labelsOut).toMatchObject({
      datatype: 'UINT8',
      shape: [1, 9, 11, 13],
      parameters: { binary_data_size: 1287 },
    });
    expect(probabilitiesOut).toMatchObject({ datatype: 'FP32', shape: [1, 9, 11, 13, 3] });
    const labels = raw.subarray(jsonLength, jsonLength + 1287);
    const probabilities = new Float32Array(new Uint8Array(raw.subarray(jsonLength + 1287)).buffer);
    expect(Array.from(labels)).toEqual(argmax);
    expect(maxAbsDiff(probabilities, expected.probabilities)).toBeLessThan(1e-5);
  });

  it('passes roi, overlap, blend and batch to the sliding windows', async () => {
    const options = {
      roi: [4, 8, 8] as [number, number, number],
      overlap: 0.5,
      blend: 'constant' as const,
      batch: 3,
    };
    const response = await post({
      inputs: [{ name: 'volume', datatype: 'FP64', shape: [1, ...expected.dims], data: volume }],
      parameters: options,
    });
    const direct = await segmenter.segment({ data: Float64Array.from(volume), dims: expected.dims }, options);
    expect(direct.windows).toBeGreaterThan(1);
    expect(response.json().outputs[0].data).toEqual(Array.from(direct.labels));
    // Windows see zeros past their edges: the label map differs from the whole volume's.
    expect(Array.from(direct.labels)).not.toEqual(argmax);
  });

  it('refuses a bad volume or window option with one line', async () => {
    const bad = await post({
      inputs: [{ name: 'volume', datatype: 'FP32', shape: [2, 9, 11, 13], data: [] }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe("input 'volume' shape [2,9,11,13]; expected [1, D, H, W] (one volume)");
    const overlap = await post({
      inputs: [{ name: 'volume', datatype: 'FP64', shape: [1, ...expected.dims], data: volume }],
      parameters: { overlap: 2 },
    });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().error).toBe('segment: overlap must be a number in [0, 1), got 2');
    const nan = await post({
      inputs: [{ name: 'volume', datatype: 'FP32', shape: [1, 1, 1, 2], data: [0, 'x'] }],
    });
    expect(nan.statusCode).toBe(400);
    expect(nan.json().error).toBe("input 'volume' data must be 2 numbers for shape [1,1,1,2]");
  });
});
