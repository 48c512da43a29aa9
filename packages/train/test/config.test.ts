import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadTrainConfig, parseTrainConfig } from '../src/config.js';
import { buildModel } from '../src/model.js';
import { SEED_CONFIG_PATH, SEED_DROPOUT_CONFIG_PATH } from '../src/train.js';

const dir = mkdtempSync(join(tmpdir(), 'conv3d-config-'));
const seedJson = (): Record<string, unknown> => JSON.parse(readFileSync(SEED_CONFIG_PATH, 'utf8'));

function errorFor(
  mutate: (c: Record<string, unknown> & { layers: Array<Record<string, unknown>> }) => void,
): string {
  const raw = seedJson() as Record<string, unknown> & { layers: Array<Record<string, unknown>> };
  mutate(raw);
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify(raw));
  try {
    loadTrainConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message.replace(file, 'bad.json');
  }
  throw new Error('expected a ConfigError');
}

describe('seed configs', () => {
  test('the seed config builds the seed model: layers, shapes, initialisers, 191 882 parameters', () => {
    const config = loadTrainConfig(SEED_CONFIG_PATH);
    expect(config).toMatchObject({
      batchSize: 100,
      epochs: 30,
      validationSplit: 0.2,
      loss: 'categoricalCrossentropy',
    });
    expect(config.optimizer.config.learningRate).toBe(0.001);
    const model = buildModel(config);
    expect(model.layers.map((l) => l.getClassName())).toEqual([
      'Conv3D',
      'MaxPooling3D',
      'Conv3D',
      'MaxPooling3D',
      'Flatten',
      'Dense',
      'Dense',
    ]);
    expect(model.inputs[0]?.shape).toEqual([null, 16, 16, 16, 3]);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    expect(model.countParams()).toBe(2624 + 55360 + 131328 + 2570);
    const inits = model.layers.map(
      (l) => (l.getConfig().kernelInitializer as { className?: string } | undefined)?.className,
    );
    expect(inits).toEqual([
      'VarianceScaling',
      undefined,
      'VarianceScaling',
      undefined,
      undefined,
      'VarianceScaling',
      'VarianceScaling',
    ]);
    const dense = model.layers[6]?.getConfig().kernelInitializer as { config: Record<string, unknown> };
    // glorot_uniform (Keras's default), not tfjs's glorotNormal.
    expect(dense.config).toMatchObject({ scale: 1, mode: 'fanAvg', distribution: 'uniform' });
    const he = model.layers[0]?.getConfig().kernelInitializer as { config: Record<string, unknown> };
    expect(he.config).toMatchObject({ scale: 2, mode: 'fanIn', distribution: 'uniform' });
  });

  test('the dropout variant adds Dropout(0.5) after each MaxPooling3D, as the seed tutorial does', () => {
    const model = buildModel(loadTrainConfig(SEED_DROPOUT_CONFIG_PATH));
    expect(model.layers.map((l) => l.getClassName())).toEqual([
      'Conv3D',
      'MaxPooling3D',
      'Dropout',
      'Conv3D',
      'MaxPooling3D',
      'Dropout',
      'Flatten',
      'Dense',
      'Dense',
    ]);
    expect(model.layers[2]?.getConfig().rate).toBe(0.5);
  });

  test('seeded initialisers: the same seed gives the same weights, another seed other weights', () => {
    const config = loadTrainConfig(SEED_CONFIG_PATH);
    const weights = (seed: number): Float32Array[] =>
      buildModel(config, { seed, compile: false })
        .getWeights()
        .map((w) => w.dataSync() as Float32Array);
    const a = weights(5);
    const b = weights(5);
    const c = weights(6);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
    // he_uniform bound for the first conv: sqrt(6 / fan_in), fan_in = 3·3·3·3.
    const bound = Math.sqrt(6 / 81);
    expect(Math.max(...(a[0] as Float32Array).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...(a[0] as Float32Array).map(Math.abs))).toBeGreaterThan(bound * 0.9);
  });

  test('every supported layer class builds', () => {
    const config = parseTrainConfig(
      {
        name: 'all',
        layers: [
          { className: 'InputLayer', config: { inputShape: [16, 16, 16, 3] } },
          { className: 'Conv3D', config: { filters: 4, kernelSize: [3, 3, 3], padding: 'same', strides: 2 } },
          { className: 'BatchNormalization', config: { epsilon: 0.001, momentum: 0.99 } },
          { className: 'ReLU' },
          { className: 'AveragePooling3D', config: { poolSize: 2, padding: 'same' } },
          { className: 'Conv3D', config: { filters: 6, kernelSize: 2, dilationRate: 1, activation: 'tanh' } },
          { className: 'GlobalAveragePooling3D' },
          { className: 'Dropout', config: { rate: 0.1 } },
          { className: 'Dense', config: { units: 10, kernelInitializer: 'lecun_normal' } },
          { className: 'Activation', config: { activation: 'sigmoid' } },
          { className: 'Softmax' },
        ],
        loss: 'categoricalCrossentropy',
        optimizer: { className: 'Adam' },
        batchSize: 4,
        epochs: 1,
        validationSplit: 0,
      },
      'all.json',
    );
    const model = buildModel(config);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    expect(model.layers.map((l) => l.getClassName())).toContain('GlobalAveragePooling3D');
  });
});

describe('config errors are one line naming file, layer index and field', () => {
  test.each([
    [
      'unknown layer class',
      (c: { layers: Array<Record<string, unknown>> }) => {
        (c.layers[2] as Record<string, unknown>).className = 'Conv2D';
      },
      'bad.json: layers[2]: unknown layer class "Conv2D" (supported: InputLayer, Conv3D, Conv3DTranspose, MaxPooling3D, AveragePooling3D, GlobalAveragePooling3D, BatchNormalization, Flatten, Dense, Dropout, Activation, ReLU, Softmax, Concatenate, Add)',
    ],
    [
      'bad value',
      (c: { layers: Array<Record<string, unknown>> }) => {
        (c.layers[2] as { config: Record<string, unknown> }).config.filters = -3;
      },
      "bad.json: layers[2] (Conv3D): 'filters' must be a positive integer, got -3",
    ],
    [
      'unknown layer key',
      (c: { layers: Array<Record<string, unknown>> }) => {
        (c.layers[5] as { config: Record<string, unknown> }).config.unit = 3;
      },
      "bad.json: layers[5] (Dense): unknown key 'unit' (allowed: name, inputShape, units, activation, useBias, kernelInitializer, biasInitializer)",
    ],
    [
      'unknown activation',
      (c: { layers: Array<Record<string, unknown>> }) => {
        (c.layers[6] as { config: Record<string, unknown> }).config.activation = 'softmaxx';
      },
      'bad.json: layers[6] (Dense): \'activation\' must be one of "linear", "relu", "softmax", "sigmoid", "tanh", got "softmaxx"',
    ],
    [
      'unknown initializer',
      (c: { layers: Array<Record<string, unknown>> }) => {
        (c.layers[0] as { config: Record<string, unknown> }).config.kernelInitializer = 'he_uniformm';
      },
      'bad.json: layers[0] (Conv3D): \'kernelInitializer\' must be one of glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal, zeros, ones (or their snake_case spelling), got "he_uniformm"',
    ],
    [
      'missing required field',
      (c: { layers: Array<Record<string, unknown>> }) => {
        delete (c.layers[5] as { config: Record<string, unknown> }).config.units;
      },
      "bad.json: layers[5] (Dense): missing required key 'units' (only the last Dense takes it from the data)",
    ],
    [
      'unknown top-level key',
      (c: Record<string, unknown>) => {
        c.epoch = 3;
      },
      "bad.json: unknown key 'epoch' (allowed: name, layers, graph, loss, optimizer, batchSize, epochs, stepsPerEpoch, validationSplit, seed, augmentation, callbacks, segmentation, preprocessing)",
    ],
    [
      'steps per epoch that is not a positive integer',
      (c: Record<string, unknown>) => {
        c.stepsPerEpoch = 0;
      },
      "bad.json: 'stepsPerEpoch' must be a positive integer, got 0",
    ],
    [
      'bad top-level value',
      (c: Record<string, unknown>) => {
        c.validationSplit = 1.5;
      },
      "bad.json: 'validationSplit' must be a number in [0, 1), got 1.5",
    ],
    [
      'bad optimizer value',
      (c: Record<string, unknown>) => {
        c.optimizer = { className: 'Adam', config: { learningRate: 0 } };
      },
      "bad.json: optimizer (Adam): 'learningRate' must be a positive number, got 0",
    ],
    [
      'unsupported optimizer',
      (c: Record<string, unknown>) => {
        c.optimizer = { className: 'SGD' };
      },
      'bad.json: optimizer: \'className\' must be one of "Adam", got "SGD"',
    ],
    [
      'input shape on a later layer',
      (c: { layers: Array<Record<string, unknown>> }) => {
        (c.layers[5] as { config: Record<string, unknown> }).config.inputShape = [512];
      },
      'bad.json: layers[5] (Dense): only the first layer may declare the input shape',
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(errorFor(mutate as never)).toBe(expected);
  });

  test('shape errors from tfjs name the layer', () => {
    const raw = seedJson() as { layers: Array<{ config?: Record<string, unknown> }> };
    (raw.layers[3] as { config: Record<string, unknown> }).config = { poolSize: 8 };
    expect(() => buildModel(parseTrainConfig(raw, 'big-pool.json'))).toThrow(
      /^seed: layers\[3\] \(MaxPooling3D\): /,
    );
  });

  test('a given input shape or class count that does not fit the data is refused', () => {
    const raw = seedJson() as { layers: Array<{ config: Record<string, unknown> }> };
    (raw.layers[6] as { config: Record<string, unknown> }).config.units = 7;
    expect(() => buildModel(parseTrainConfig(raw, 'seven.json'))).toThrow(
      "seed: layers[6] (Dense): 'units' is 7, but the data has 10 classes (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)",
    );
    const shape = seedJson() as { layers: Array<{ config: Record<string, unknown> }> };
    (shape.layers[0] as { config: Record<string, unknown> }).config.inputShape = [16, 16, 16, 1];
    expect(() => buildModel(parseTrainConfig(shape, 'one.json'))).toThrow(
      "seed: layers[0] (Conv3D): 'inputShape' is [16,16,16,1], but the data gives [16,16,16,3] (grid 16×16×16, 1 raw channel(s), 'oranges-rgb' → 3)",
    );
  });

  test('a last layer that is not the classes is refused', () => {
    const raw = seedJson() as { layers: Array<Record<string, unknown>> };
    raw.layers.splice(5, 2);
    expect(() => buildModel(parseTrainConfig(raw, 'flat.json'))).toThrow(
      "seed: the model's output shape is [null,512], expected [null, 10] (one probability per class)",
    );
  });

  test('missing file and invalid JSON', () => {
    expect(() => loadTrainConfig(join(dir, 'nope.json'))).toThrow(
      /nope\.json: cannot read config \(ENOENT\)$/,
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"name": ');
    expect(() => loadTrainConfig(broken)).toThrow(/broken\.json: invalid JSON \(/);
  });
});
