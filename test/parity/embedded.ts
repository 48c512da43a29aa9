// Helpers of the embedded-preprocessing section: edge rows, onnxruntime-node runs of the reference path, OpenCV DNN
// on the plain file, the onnx checker.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SEED_CONTRACT } from '@conv3d/core';
import * as ortNode from 'onnxruntime-node';

const run = promisify(execFile);
const VOXELS = SEED_CONTRACT.rawLength;
const SAMPLE_SHAPE = SEED_CONTRACT.inputShape;

/** Edge rows the JS preprocessing handles specially: constant, all-zero, one non-zero voxel, max at 1 and at 1e-30. */
export function edgeRows(): { name: string; row: Float32Array }[] {
  const ramp = (scale: number) =>
    Float32Array.from({ length: VOXELS }, (_, i) => (((i * 2654435761) >>> 0) % 1000) * scale);
  const unit = ramp(1 / 999);
  unit[5] = 1;
  const tiny = ramp(1e-30 / 999);
  tiny[5] = 1e-30;
  const one = new Float32Array(VOXELS);
  one[1234] = 0.5;
  return [
    { name: 'constant sample', row: new Float32Array(VOXELS).fill(0.75) },
    { name: 'all-zero sample', row: new Float32Array(VOXELS) },
    { name: 'one non-zero voxel', row: one },
    { name: 'max at 1', row: unit },
    { name: 'max at 1e-30', row: tiny },
  ];
}

export function concat(rows: readonly ArrayLike<number>[], Type: typeof Float32Array | typeof Float64Array) {
  const out = new Type(rows.reduce((n, r) => n + r.length, 0));
  let o = 0;
  for (const r of rows) {
    out.set(r, o);
    o += r.length;
  }
  return out;
}

/** One onnxruntime-node CPU run of a whole batch: the input is [N, ...perSample]. */
export async function ortNodeRun(bytes: Uint8Array, data: Float32Array, perSample: readonly number[]) {
  const session = await ortNode.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const n = data.length / perSample.reduce((a, b) => a * b, 1);
    const feeds = {
      [session.inputNames[0] as string]: new ortNode.Tensor('float32', data, [n, ...perSample]),
    };
    const out = await session.run(feeds);
    return out[session.outputNames[0] as string]?.data as Float32Array;
  } finally {
    await session.release();
  }
}

const OPENCV = `
import sys, cv2, numpy as np
from matplotlib import cm
rows = np.fromfile(sys.argv[2], dtype="<f8").reshape(-1, ${VOXELS})
rgb = np.stack([cm.ScalarMappable(cmap="Oranges").to_rgba(r)[:, :3] for r in rows])
net = cv2.dnn.readNetFromONNX(sys.argv[1])
net.setInput(rgb.reshape(-1, ${SAMPLE_SHAPE.join(', ')}).astype(np.float32))
np.savetxt(sys.stdout, net.forward(), fmt="%.9g")
`;

/** OpenCV DNN (Debian python3-opencv) on the plain file, with matplotlib's own preprocessing of float64 rows. */
export async function opencvRun(onnxPath: string, rows: Float64Array, dir: string): Promise<Float32Array> {
  const rowsPath = join(dir, 'opencv-rows.bin');
  await writeFile(rowsPath, rows);
  const { stdout } = await run('/usr/bin/python3', ['-c', OPENCV, onnxPath, rowsPath], {
    maxBuffer: 64 << 20,
  });
  return Float32Array.from(stdout.trim().split(/\s+/).map(Number));
}

/** onnx.checker.check_model(full_check=True), Debian python3-onnx; "ok" or the first line of the error. */
export async function onnxCheck(path: string): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', [
    '-c',
    'import sys, onnx\ntry:\n    onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print("ok")\nexcept Exception as e:\n    print(str(e).strip().splitlines()[0])',
    path,
  ]);
  return stdout.trim();
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(max, d);
  }
  return max;
}

/** Voxels whose colour differs between two preprocessed batches (3 channels per voxel). */
export function voxelsInAnotherEntry(a: Float32Array, b: Float32Array): number {
  let count = 0;
  for (let v = 0; v < a.length; v += 3) {
    if (a[v] !== b[v] || a[v + 1] !== b[v + 1] || a[v + 2] !== b[v + 2]) count++;
  }
  return count;
}
