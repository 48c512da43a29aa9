// OpenCV's DNN module (Debian python3-opencv 4.6) as a second, independent ONNX consumer, through the README's
// Python example (examples/predict_opencv.py, copied verbatim into the README).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { preprocessBatch, SEED_CONTRACT } from '@conv3d/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { argmaxRows, maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { concatRows, edgeRows, realisticRawRows } from './helpers/raw-rows.js';
import { seedModel } from './helpers/seed-model.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const EXAMPLE = fileURLToPath(new URL('../examples/predict_opencv.py', import.meta.url));
/** OpenCV DNN against onnxruntime-node on the same model. */
const TOLERANCE = 1e-5;
const VOXELS = SEED_CONTRACT.rawLength;

let dir: string;
let plainPath: string;
let embeddedPath: string;
let plain: Uint8Array;
let embedded: Uint8Array;
/** The 8 rows the example reads (X_test[:8]): 4 realistic, 4 edge rows; float64 as in full_dataset_vectors.h5. */
let rows: Float64Array;

beforeAll(async () => {
  await useCpuBackend();
  const model = seedModel();
  randomizeWeights(model, 71);
  plain = convertModel(model).bytes;
  embedded = convertModel(model, { embedPreprocessing: true }).bytes;
  model.dispose();
  dir = await mkdtemp(join(tmpdir(), 'export-onnx-opencv-'));
  plainPath = join(dir, 'model.onnx');
  embeddedPath = join(dir, 'model-raw.onnx');
  await writeFile(plainPath, plain);
  await writeFile(embeddedPath, embedded);
  const edges = edgeRows(VOXELS).slice(0, 4);
  rows = Float64Array.from(concatRows([realisticRawRows(4, 97), ...edges.map((e) => e.row)]));
  await writeFile(join(dir, 'rows.bin'), rows);
  await run(PYTHON, [
    '-c',
    `import sys, h5py, numpy as np
x = np.fromfile(sys.argv[1], dtype="<f8").reshape(-1, ${VOXELS})
with h5py.File(sys.argv[2], "w") as f:
    f["X_test"] = x`,
    join(dir, 'rows.bin'),
    join(dir, 'data.h5'),
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OpenCV DNN (cv2.dnn.readNetFromONNX)', () => {
  it(`runs the plain file through the README example within ${TOLERANCE} of onnxruntime-node`, async () => {
    const { stdout } = await run(PYTHON, [EXAMPLE, plainPath, join(dir, 'data.h5')]);
    const opencv = Float32Array.from(stdout.trim().split(/\s+/).map(Number));
    const n = rows.length / VOXELS;
    // Our JS float64 path, as matplotlib's (the example's preprocessing) runs on float64 rows.
    const ort = await runOnnx(plain, preprocessBatch(SEED_CONTRACT, rows, n), [
      n,
      ...SEED_CONTRACT.inputShape,
    ]);
    expect(opencv.length).toBe(n * 10);
    expect(maxAbsDiff(opencv, ort)).toBeLessThanOrEqual(TOLERANCE);
    expect(argmaxRows(opencv, 10)).toEqual(argmaxRows(ort, 10));
    // And the embedded file on the same rows (as float32) agrees with OpenCV on the plain file.
    const raw = await runOnnx(embedded, Float32Array.from(rows), [n, VOXELS]);
    expect(maxAbsDiff(opencv, raw)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('refuses the embedded file: OpenCV 4.6 imports Gather only with constant indices', async () => {
    const error = await run(PYTHON, [
      '-c',
      'import sys, cv2; cv2.dnn.readNetFromONNX(sys.argv[1])',
      embeddedPath,
    ]).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(error).toMatch(/Gather[\s\S]*not found in const blobs/);
  });

  it('the README shows the example verbatim', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(await readFile(EXAMPLE, 'utf8'));
  });
});
