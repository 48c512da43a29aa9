// Loads a tfjs layers model (model.json + weight shards, the tfjs-node layout) from disk with our own IOHandler.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExportError, oneLine } from './errors.js';
import { registerKerasLayers } from './keras-layers.js';

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Reads `model.json` and its weight files, checks them, and deserialises the model. */
export async function loadLayersModelFromDisk(modelJsonPath: string): Promise<tf.LayersModel> {
  const artifacts = await readArtifacts(modelJsonPath);
  registerKerasLayers();
  try {
    return await tf.loadLayersModel({ load: async () => artifacts });
  } catch (error) {
    // tfjs follows "Unknown layer: X." with a multi-line list of possible causes; the first sentence is the fact.
    const message = (error instanceof Error ? error.message : String(error)).split(' This may be due to')[0];
    throw new ExportError(`${modelJsonPath}: ${oneLine(message ?? '')}`);
  }
}

async function readArtifacts(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  const text = await readOrFail(modelJsonPath, 'model.json').then((b) => b.toString('utf8'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ExportError(`${modelJsonPath}: not valid JSON (${oneLine((error as Error).message)})`);
  }
  if (!isRecord(json) || !isRecord(json.modelTopology)) {
    throw new ExportError(`${modelJsonPath}: no 'modelTopology' object; not a tfjs layers model.json`);
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || !manifest.every(isWeightsGroup)) {
    throw new ExportError(`${modelJsonPath}: 'weightsManifest' must be a list of { paths, weights } groups`);
  }
  const dir = dirname(modelJsonPath);
  const shards: Uint8Array[] = [];
  for (const group of manifest) {
    const files = group.paths.map((p) => join(dir, p));
    const buffers = await Promise.all(files.map((f) => readOrFail(f, "model.json's weightsManifest")));
    const actual = buffers.reduce((n, b) => n + b.length, 0);
    const expected = group.weights.reduce((n, spec) => n + weightBytes(spec, modelJsonPath), 0);
    if (actual !== expected) {
      throw new ExportError(
        `${files.join(', ')}: ${actual} bytes, but model.json's weightsManifest needs ${expected} (${actual < expected ? 'truncated' : 'too long'})`,
      );
    }
    shards.push(...buffers);
  }
  const weightData = new Uint8Array(shards.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.length;
  }
  return {
    modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'],
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: weightData.buffer,
    format: typeof json.format === 'string' ? json.format : undefined,
    generatedBy: typeof json.generatedBy === 'string' ? json.generatedBy : undefined,
    convertedBy: typeof json.convertedBy === 'string' ? json.convertedBy : null,
    ...(isRecord(json.userDefinedMetadata)
      ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, object> }
      : {}),
  };
}

async function readOrFail(path: string, role: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ExportError(`${path}: not found (${role})`);
    throw new ExportError(`${path}: cannot read (${oneLine((error as Error).message)})`);
  }
}

function weightBytes(spec: tf.io.WeightsManifestEntry, modelJsonPath: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = DTYPE_BYTES[dtype];
  if (bytes === undefined) {
    throw new ExportError(`${modelJsonPath}: weight '${spec.name}' has unsupported dtype '${dtype}'`);
  }
  return bytes * spec.shape.reduce((n, d) => n * d, 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isWeightsGroup(value: unknown): value is WeightsGroup {
  return (
    isRecord(value) &&
    Array.isArray(value.paths) &&
    value.paths.every((p) => typeof p === 'string') &&
    Array.isArray(value.weights) &&
    value.weights.every(
      (w) =>
        isRecord(w) &&
        typeof w.name === 'string' &&
        typeof w.dtype === 'string' &&
        Array.isArray(w.shape) &&
        w.shape.every((d) => Number.isInteger(d) && d >= 0),
    )
  );
}
