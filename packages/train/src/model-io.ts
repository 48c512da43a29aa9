// @conv3d/train/model-io: the one model.json + weights.bin IO handler (the layout tfjs-node's file:// handler
// writes), for plain tfjs, which has no file system handler. Training saves with it; the exporter and the parity
// suite load with it. Loads tfjs and the custom layers only: no backend, no native addon.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { oneLine, writeFileAtomic } from '@conv3d/core/node';
import * as tf from '@tensorflow/tfjs';
// Registers the custom layers so saved models that use them load again.
import './layers/index.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** A model.json or weight file that is missing, malformed or inconsistent; one line naming the file. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

const DTYPE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** An IOHandler writing and reading `dir/model.json` + `dir/weights.bin`. */
export function fileHandler(dir: string): tf.io.IOHandler {
  return modelFileHandler(join(dir, MODEL_JSON));
}

/**
 * An IOHandler for a model.json path: save writes it and `weights.bin` beside it, each atomically (weights first,
 * so a model.json on disk never points at older weights); load reads it and every weight file its manifest lists,
 * checking sizes against the manifest.
 */
export function modelFileHandler(modelJsonPath: string): tf.io.IOHandler {
  const dir = dirname(modelJsonPath);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ModelFileError(`${modelJsonPath}: binary model topologies are not supported`);
      }
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      writeFileAtomic(modelJsonPath, JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      return readArtifacts(modelJsonPath);
    },
  };
}

/** Writes `model.json` + `weights.bin` into `dir` (created if needed). */
export async function saveModelToDir(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileHandler(dir));
}

/** Loads a model saved by `saveModelToDir` or tfjs-node's file:// handler. Compile it again to train it. */
export async function loadModelFromDir(dir: string): Promise<tf.LayersModel> {
  return loadModelFile(join(dir, MODEL_JSON));
}

/** Loads a model from its model.json path; tfjs's own errors (e.g. an unknown layer) become one-line ModelFileErrors. */
export async function loadModelFile(modelJsonPath: string): Promise<tf.LayersModel> {
  const artifacts = await readArtifacts(modelJsonPath);
  try {
    return await tf.loadLayersModel({ load: async () => artifacts });
  } catch (error) {
    // tfjs follows "Unknown layer: X." with a multi-line list of possible causes; the first sentence is the fact.
    const message = (error instanceof Error ? error.message : String(error)).split(' This may be due to')[0];
    throw new ModelFileError(`${modelJsonPath}: ${oneLine(message ?? '')}`);
  }
}

function readArtifacts(modelJsonPath: string): tf.io.ModelArtifacts {
  const text = readOrFail(modelJsonPath, undefined).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(`${modelJsonPath}: not valid JSON (${oneLine((error as Error).message)})`);
  }
  if (!isRecord(json) || !isRecord(json.modelTopology)) {
    throw new ModelFileError(`${modelJsonPath}: no 'modelTopology' object; not a tfjs layers model.json`);
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || !manifest.every(isWeightsGroup)) {
    throw new ModelFileError(
      `${modelJsonPath}: 'weightsManifest' must be a list of { paths, weights } groups`,
    );
  }
  const dir = dirname(modelJsonPath);
  const shards: Uint8Array[] = [];
  for (const group of manifest) {
    const files = group.paths.map((p) => join(dir, p));
    const buffers = files.map((f) => readOrFail(f, `${MODEL_JSON}'s weightsManifest`));
    const actual = buffers.reduce((n, b) => n + b.length, 0);
    const expected = group.weights.reduce((n, spec) => n + weightBytes(spec, modelJsonPath), 0);
    if (actual !== expected) {
      throw new ModelFileError(
        `${files.join(', ')}: ${actual} bytes, but ${MODEL_JSON}'s weightsManifest needs ${expected} (${actual < expected ? 'truncated' : 'too long'})`,
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
    ...(isRecord(json.trainingConfig)
      ? { trainingConfig: json.trainingConfig as unknown as tf.io.TrainingConfig }
      : {}),
    ...(isRecord(json.userDefinedMetadata)
      ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, object> }
      : {}),
  };
}

/** `listedIn` names where a weight file was listed; model.json itself is reported as plainly not found. */
function readOrFail(path: string, listedIn: string | undefined): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ModelFileError(`${path}: not found${listedIn ? ` (listed in ${listedIn})` : ''}`);
    throw new ModelFileError(`${path}: cannot read (${oneLine((error as Error).message)})`);
  }
}

function weightBytes(spec: tf.io.WeightsManifestEntry, modelJsonPath: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = DTYPE_BYTES[dtype];
  if (bytes === undefined) {
    throw new ModelFileError(`${modelJsonPath}: weight '${spec.name}' has unsupported dtype '${dtype}'`);
  }
  return bytes * spec.shape.reduce((n, d) => n * d, 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
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
