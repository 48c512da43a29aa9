import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModelToDir } from '@conv3d/train/model-io';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelAffine } from '../examples/custom-layer.js';
import { exportModelFile, REGISTRY, registerConverter } from '../src/index.js';
import { maxAbsDiff, opCount, runOnnx } from './helpers/onnx.js';
import { expectParity, TOLERANCE } from './helpers/parity.js';
import { predictCpu, randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

function affineModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 3, kernelSize: 2, inputShape: [6, 5, 2] }),
      new ChannelAffine({ name: 'affine' }),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
  randomizeWeights(model, 31);
  return model;
}

describe('registerConverter: the README example of a custom layer', () => {
  it('converts the custom layer and matches tfjs cpu within 1e-5', async () => {
    const { bytes } = await expectParity(affineModel());
    expect(opCount(bytes, 'Mul')).toBe(1);
    expect(opCount(bytes, 'Add')).toBe(1);
  });

  it('a model.json that uses it exports from disk', async () => {
    const model = affineModel();
    const dir = await mkdtemp(join(tmpdir(), 'export-onnx-custom-'));
    await saveModelToDir(model, dir);
    const result = await exportModelFile(dir, join(dir, 'model.onnx'));
    expect(result.opTypes.Mul).toBe(1);
    const input = Float32Array.from({ length: 2 * 6 * 5 * 2 }, (_, i) => Math.sin(i));
    const onnx = await runOnnx(await readFile(join(dir, 'model.onnx')), input, [2, 6, 5, 2]);
    expect(maxAbsDiff(predictCpu(model, input, [2, 6, 5, 2]), onnx)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('a class name that already has a converter throws, like tfjs registries', () => {
    expect(REGISTRY.has('ChannelAffine')).toBe(true);
    const converter = REGISTRY.get('ChannelAffine');
    expect(() => registerConverter('ChannelAffine', converter as NonNullable<typeof converter>)).toThrow(
      "registerConverter: a converter for layer class 'ChannelAffine' is already registered",
    );
    expect(() => registerConverter('Conv2D', converter as NonNullable<typeof converter>)).toThrow(
      "layer class 'Conv2D' is already registered",
    );
    expect(() => registerConverter('Nothing', {} as NonNullable<typeof converter>)).toThrow(
      "registerConverter('Nothing'): the converter has no convert(args) function",
    );
  });
});
