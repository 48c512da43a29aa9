// Saves and loads tfjs layers models as the `model.json` + `weights.bin` pair that tfjs-node's file:// handler
// writes, without tfjs-node (plain tfjs has no file system handler).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from './atomic.js';
// Registers the custom layers so saved models that use them load again.
import './layers/batch-normalization.js';
import './layers/global-average-pooling-3d.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** An IOHandler writing and reading `dir/model.json` + `dir/weights.bin`; each file is written atomically. */
export function fileHandler(dir: string): tf.io.IOHandler {
  const modelPath = join(dir, MODEL_JSON);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ModelFileError(`${modelPath}: binary model topologies are not supported`);
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
      // Weights first: a model.json on disk never points at weights older than itself.
      writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      writeFileAtomic(modelPath, JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(readFileSync(modelPath, 'utf8')) as tf.io.ModelJSON;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new ModelFileError(`${modelPath}: ${e.code === 'ENOENT' ? 'not found' : e.message}`);
      }
      if (!modelJson || typeof modelJson !== 'object' || !modelJson.modelTopology) {
        throw new ModelFileError(`${modelPath}: no 'modelTopology'; not a tfjs layers model`);
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const path of group.paths) {
            const file = join(dir, path);
            try {
              const bytes = readFileSync(file);
              buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
            } catch (err) {
              throw new ModelFileError(`${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
            }
          }
        }
        const data = tf.io.CompositeArrayBuffer.join(buffers);
        const expected = specs.reduce(
          (n, s) => n + s.shape.reduce((a, b) => a * b, 1) * bytesPerElement(s),
          0,
        );
        if (data.byteLength !== expected) {
          throw new ModelFileError(
            `${join(dir, WEIGHTS_BIN)}: holds ${data.byteLength} bytes, ${MODEL_JSON} describes ${expected}`,
          );
        }
        return [specs, data];
      });
    },
  };
}

function bytesPerElement(spec: tf.io.WeightsManifestEntry): number {
  if (spec.quantization)
    return spec.quantization.dtype === 'float16' ? 2 : spec.quantization.dtype === 'uint16' ? 2 : 1;
  return spec.dtype === 'bool' ? 1 : 4;
}

/** Writes `model.json` + `weights.bin` into `dir` (created if needed). */
export async function saveModelToDir(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileHandler(dir));
}

/** Loads a model saved by `saveModelToDir` or tfjs-node's file:// handler. Compile it again to train it. */
export async function loadModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileHandler(dir));
}
