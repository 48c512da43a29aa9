// The parity model: a short seeded training run on the real dataset, exported with our exporter.
// Nothing binary is committed; turbo's `dataset` task (or this file) builds the dataset first.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDataset, defaultDatasetPath, openDataset, ROW_LENGTH } from '@conv3d/data';
import { convertModel, exportModelFile } from '@conv3d/export-onnx';
import { train } from '@conv3d/train';

export const PARITY_SEED = 20261128;
/** Rows per split used by the short run: 1600 train / 400 validation (last 20 %) / 2000 test rows. */
const TRAIN_LIMIT = 2000;

export interface ParityModel {
  runDir: string;
  onnxPath: string;
  onnxBytes: Uint8Array;
  testAccuracy: number;
  dataPath: string;
}

export async function ensureDataset(): Promise<string> {
  const path = defaultDatasetPath();
  if (!existsSync(path)) await buildDataset({ out: path });
  return path;
}

export async function prepareParityModel(dir: string): Promise<ParityModel> {
  const dataPath = await ensureDataset();
  await mkdir(dir, { recursive: true });
  const runDir = join(dir, 'run');
  const result = await train({
    epochs: 1,
    limit: TRAIN_LIMIT,
    seed: PARITY_SEED,
    backend: 'fast-cpu',
    data: dataPath,
    outDir: runDir,
    progress: false,
    log: () => {},
  });
  const { bytes } = convertModel(result.model, { testAccuracy: result.test.accuracy });
  result.dispose();
  const onnxPath = join(dir, 'parity-model.onnx');
  await writeFile(onnxPath, bytes);
  return { runDir, onnxPath, onnxBytes: bytes, testAccuracy: result.test.accuracy, dataPath };
}

/**
 * A run folder trained elsewhere (e.g. the full `configs/best.json` run) as the parity model: exported with our
 * exporter beside the suite's artifacts, its test accuracy read from the run's metrics.json.
 */
export async function parityModelFromRun(runDir: string, dir: string): Promise<ParityModel> {
  const dataPath = await ensureDataset();
  await mkdir(dir, { recursive: true });
  const metrics = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8')) as {
    test: { accuracy: number };
  };
  const onnxPath = join(dir, 'parity-model.onnx');
  await exportModelFile(runDir, onnxPath, { testAccuracy: metrics.test.accuracy });
  const onnxBytes = new Uint8Array(await readFile(onnxPath));
  return { runDir, onnxPath, onnxBytes, testAccuracy: metrics.test.accuracy, dataPath };
}

/** `count` real test samples spread evenly over the test split (originals and rotated copies alike). */
export async function paritySamples(
  dataPath: string,
  count: number,
): Promise<{ vectors: Float64Array[]; rows: number[] }> {
  const dataset = await openDataset(dataPath);
  try {
    const { x, count: total } = dataset.read('test');
    if (total < count)
      throw new Error(`${dataPath}: only ${total} test rows, the parity suite needs ${count}`);
    const rows = Array.from({ length: count }, (_, i) => Math.floor((i * total) / count));
    const vectors = rows.map((r) => Float64Array.from(x.subarray(r * ROW_LENGTH, (r + 1) * ROW_LENGTH)));
    return { vectors, rows };
  } finally {
    dataset.close();
  }
}
