// OpenCV's DNN module (Debian python3-opencv 4.6) as a second, independent ONNX consumer, through the README's
// Python example (examples/predict_opencv.py, copied verbatim into the README).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defineContract, MINMAX, NONE, preprocessBatch, Rng, SEED_CONTRACT } from '@conv3d/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModel, decodeModel } from '../src/index.js';
import { argmaxRows, maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { concatRows, edgeRows, realisticRawRows } from './helpers/raw-rows.js';
import { seedModel } from './helpers/seed-model.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

const run = promisify(execFile);

/** cv2.dnn forward of an embedded (raw-input) file on float32 rows [n, V]; probabilities row-major. */
async function openCvForward(path: string, raw: Float32Array, n: number): Promise<Float32Array> {
  const rowsPath = `${path}.rows.bin`;
  await writeFile(rowsPath, raw);
  const { stdout } = await run(PYTHON, [
    '-c',
    `import sys, cv2, numpy as np
net = cv2.dnn.readNetFromONNX(sys.argv[1])
net.setInput(np.fromfile(sys.argv[2], dtype="<f4").reshape(${n}, -1))
np.savetxt(sys.stdout, net.forward(), fmt="%.9g")`,
    path,
    rowsPath,
  ]);
  return Float32Array.from(stdout.trim().split(/\s+/).map(Number));
}
const PYTHON = '/usr/bin/python3';
const EXAMPLE = fileURLToPath(new URL('../examples/predict_opencv.py', import.meta.url));
/** OpenCV DNN against onnxruntime-node on the same model. */
const TOLERANCE = 1e-5;
/** The opencv-compatible embedded file against JS preprocessing + the plain file, both on onnxruntime-node. */
const ORT_TOLERANCE = 1e-6;
const VOXELS = SEED_CONTRACT.rawLength;

let dir: string;
let plainPath: string;
let embeddedPath: string;
let plain: Uint8Array;
let embedded: Uint8Array;
let compatible: Uint8Array;
let compatiblePath: string;
/** minmax and none (3 raw channels) embedded for OpenCV: default and opencvCompatible files. */
let others: {
  id: string;
  path: string;
  bytes: Uint8Array;
  compatible: Uint8Array;
  compatiblePath: string;
}[];
/** The 8 rows the example reads (X_test[:8]): 4 realistic, 4 edge rows; float64 as in full_dataset_vectors.h5. */
let rows: Float64Array;

beforeAll(async () => {
  await useCpuBackend();
  const model = seedModel();
  randomizeWeights(model, 71);
  plain = convertModel(model).bytes;
  embedded = convertModel(model, { embedPreprocessing: true }).bytes;
  compatible = convertModel(model, { embedPreprocessing: true, opencvCompatible: true }).bytes;
  dir = await mkdtemp(join(tmpdir(), 'export-onnx-opencv-'));
  others = await Promise.all(
    [MINMAX, NONE].map(async (id) => {
      const path = join(dir, `model-raw-${id}.onnx`);
      const contract = defineContract({ ...SEED_CONTRACT, rawChannels: 3, preprocessing: id });
      const bytes = convertModel(model, { embedPreprocessing: true, contract }).bytes;
      await writeFile(path, bytes);
      const options = { embedPreprocessing: true, opencvCompatible: true, contract };
      const compatible = convertModel(model, options).bytes;
      const compatiblePath = join(dir, `model-raw-${id}-opencv.onnx`);
      await writeFile(compatiblePath, compatible);
      return { id, path, bytes, compatible, compatiblePath };
    }),
  );
  model.dispose();
  plainPath = join(dir, 'model.onnx');
  embeddedPath = join(dir, 'model-raw.onnx');
  compatiblePath = join(dir, 'model-raw-opencv.onnx');
  await writeFile(plainPath, plain);
  await writeFile(embeddedPath, embedded);
  await writeFile(compatiblePath, compatible);
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

  it(`runs the opencv-compatible embedded file within ${TOLERANCE} of onnxruntime-node on the same raw rows`, async () => {
    const n = rows.length / VOXELS;
    const raw = Float32Array.from(rows);
    const opencv = await openCvForward(compatiblePath, raw, n);
    const ort = await runOnnx(compatible, raw, [n, VOXELS]);
    expect(opencv.length).toBe(n * 10);
    expect(maxAbsDiff(opencv, ort)).toBeLessThanOrEqual(TOLERANCE);
    expect(argmaxRows(opencv, 10)).toEqual(argmaxRows(ort, 10));
  });

  it(`the opencv-compatible file matches JS preprocessing + the plain file within ${ORT_TOLERANCE} (onnxruntime-node)`, async () => {
    const edges = edgeRows(VOXELS);
    for (const name of ['constant sample', 'all-zero sample', 'one non-zero voxel', 'max at 1e-30']) {
      expect(edges.map((e) => e.name)).toContain(name);
    }
    const raw = concatRows([realisticRawRows(6, 131), ...edges.map((e) => e.row)]);
    const n = raw.length / VOXELS;
    const viaJs = await runOnnx(plain, preprocessBatch(SEED_CONTRACT, raw, n), [
      n,
      ...SEED_CONTRACT.inputShape,
    ]);
    const inGraph = await runOnnx(compatible, raw, [n, VOXELS]);
    expect(maxAbsDiff(inGraph, viaJs)).toBeLessThanOrEqual(ORT_TOLERANCE);
    expect(maxAbsDiff(await runOnnx(embedded, raw, [n, VOXELS]), viaJs)).toBeLessThanOrEqual(ORT_TOLERANCE);
  });

  it('the opencv-compatible file has no Gather and passes onnx.checker full_check', async () => {
    expect(decodeModel(compatible).graph.node.map((n) => n.op_type)).not.toContain('Gather');
    await run(PYTHON, [
      '-c',
      'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)',
      compatiblePath,
    ]);
  });

  it('leaves the default embedded file as it was (opencvCompatible false is the default)', () => {
    expect(decodeModel(embedded).graph.node.map((n) => n.op_type)).toContain('Gather');
    expect(compatible).not.toEqual(embedded);
  });

  it(`runs the opencv-compatible minmax and none files within ${TOLERANCE} of onnxruntime-node (none: the default file)`, async () => {
    const n = 3;
    const raw = new Rng(17).floats(n * VOXELS * 3, -2, 7);
    for (const other of others) {
      if (other.id === NONE) expect(other.compatible, 'none needs no change').toEqual(other.bytes);
      else await expect(openCvForward(other.path, raw, n), 'default minmax file').rejects.toThrow(/total/);
      const opencv = await openCvForward(other.compatiblePath, raw, n);
      const ort = await runOnnx(other.compatible, raw, [n, VOXELS * 3]);
      expect(opencv.length, other.id).toBe(n * 10);
      expect(maxAbsDiff(opencv, ort), other.id).toBeLessThanOrEqual(TOLERANCE);
      const byDefault = await runOnnx(other.bytes, raw, [n, VOXELS * 3]);
      expect(maxAbsDiff(ort, byDefault), other.id).toBeLessThanOrEqual(ORT_TOLERANCE);
    }
  });

  it('the README shows the example verbatim', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(await readFile(EXAMPLE, 'utf8'));
  });
});
