import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModelToDir } from '@conv3d/train/model-io';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelAffine } from '../examples/custom-layer.js';
import { exportModel, exportModelFile, REGISTRY, registerConverter } from '../src/index.js';
import { maxAbsDiff, opCount, runOnnx, runOnnxAll } from './helpers/onnx.js';
import { expectParity, TOLERANCE } from './helpers/parity.js';
import { predictCpu, randomizeWeights, useCpuBackend } from './helpers/tfjs.js';
import { MaskedMean, SplitHalves } from './helpers/user-sequence-layers.js';

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

describe('registerConverter: a custom layer that consumes a mask, and one with several outputs', () => {
  it('a Masking → MaskedMean model (the mean over the kept steps only) and a SplitHalves model match tfjs cpu within 1e-5', async () => {
    const steps = 5;
    const masked = tf.sequential({
      layers: [
        tf.layers.masking({ maskValue: 0, inputShape: [steps, 3] }),
        new MaskedMean({ name: 'masked_mean' }),
      ],
    });
    const data = Float32Array.from({ length: 2 * steps * 3 }, (_, i) =>
      Math.floor(i / 3) % 2 === 1 ? 0 : Math.cos(i),
    );
    const onnx = await runOnnx(exportModel(masked), data, [2, steps, 3]);
    expect(maxAbsDiff(predictCpu(masked, data, [2, steps, 3]), onnx)).toBeLessThanOrEqual(TOLERANCE);

    const input = tf.input({ shape: [4] });
    const [a, b] = new SplitHalves({ name: 'split' }).apply(input) as tf.SymbolicTensor[];
    const split = tf.model({
      inputs: input,
      outputs: [
        tf.layers.dense({ units: 2 }).apply(a as tf.SymbolicTensor) as tf.SymbolicTensor,
        b as tf.SymbolicTensor,
      ],
    });
    randomizeWeights(split, 5);
    const rows = Float32Array.from({ length: 3 * 4 }, (_, i) => Math.sin(i + 1));
    const expected = (split.predict(tf.tensor(rows, [3, 4])) as tf.Tensor[]).map((t) => t.dataSync());
    const actual = await runOnnxAll(exportModel(split), [rows], [[3, 4]]);
    expect(actual).toHaveLength(2);
    expected.forEach((e, i) => {
      expect(maxAbsDiff(e as Float32Array, actual[i] as Float32Array)).toBeLessThanOrEqual(TOLERANCE);
    });
  });
});
