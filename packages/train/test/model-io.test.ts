import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../src/backend.js';
import { loadTrainConfig, parseTrainConfig } from '../src/config.js';
import { buildModel } from '../src/model.js';
import { loadModelFromDir, ModelFileError, saveModelToDir } from '../src/model-io.js';
import { SEED_CONFIG_PATH } from '../src/train.js';

const root = mkdtempSync(join(tmpdir(), 'conv3d-io-'));

beforeAll(async () => {
  await selectBackend('cpu');
});

function input(n: number, seed: number): tf.Tensor {
  return tf.randomUniform([n, 16, 16, 16, 3], 0, 1, 'float32', seed);
}

describe('saveModelToDir / loadModelFromDir', () => {
  test('the seed model round-trips: tfjs-node layout, same weights, identical predictions', async () => {
    const model = buildModel(loadTrainConfig(SEED_CONFIG_PATH), { seed: 3 });
    const dir = join(root, 'seed');
    await saveModelToDir(model, dir);

    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(statSync(join(dir, 'weights.bin')).size).toBe(model.countParams() * 4);

    const loaded = await loadModelFromDir(dir);
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    const x = input(4, 9);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(b).toEqual(a);
  });

  test('tf.loadLayersModel reads it through the file handler, custom layers included', async () => {
    const config = parseTrainConfig(
      {
        name: 'gap',
        layers: [
          {
            className: 'Conv3D',
            config: { inputShape: [16, 16, 16, 3], filters: 3, kernelSize: 3, strides: 2 },
          },
          { className: 'BatchNormalization' },
          { className: 'GlobalAveragePooling3D' },
          { className: 'Dense', config: { units: 10, activation: 'softmax' } },
        ],
        loss: 'categoricalCrossentropy',
        optimizer: { className: 'Adam' },
        batchSize: 2,
        epochs: 1,
        validationSplit: 0,
      },
      'gap.json',
    );
    const model = buildModel(config);
    const dir = join(root, 'gap');
    await saveModelToDir(model, dir);
    const { fileHandler } = await import('../src/model-io.js');
    const loaded = await tf.loadLayersModel(fileHandler(dir));
    const x = input(2, 4);
    expect((loaded.predict(x) as tf.Tensor).dataSync()).toEqual((model.predict(x) as tf.Tensor).dataSync());
  });

  test('a missing model.json or a short weights.bin is a one-line ModelFileError naming the file', async () => {
    await expect(loadModelFromDir(join(root, 'absent'))).rejects.toThrow(ModelFileError);
    await expect(loadModelFromDir(join(root, 'absent'))).rejects.toThrow(/absent\/model\.json: not found$/);
    const model = buildModel(loadTrainConfig(SEED_CONFIG_PATH));
    const dir = join(root, 'short');
    await saveModelToDir(model, dir);
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(100));
    await expect(loadModelFromDir(dir)).rejects.toThrow(
      `${join(dir, 'weights.bin')}: 100 bytes, but model.json's weightsManifest needs ${model.countParams() * 4} (truncated)`,
    );
  });
});
