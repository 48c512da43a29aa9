import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../src/index.js';
import { opCount } from './helpers/onnx.js';
import { expectParity } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

describe('Flatten', () => {
  it('after Conv3D returns to channels-last first (tfjs flattens channels fastest)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv3d({ filters: 5, kernelSize: 2, inputShape: [4, 3, 5, 2] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4 }),
      ],
    });
    randomizeWeights(model, 31);
    const { bytes } = await expectParity(model);
    expect(opCount(bytes, 'Transpose')).toBe(2);
  });

  it('straight on the channels-last input needs no Transpose', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [3, 4, 2, 2] })] });
    const { bytes } = await expectParity(model);
    expect(opCount(bytes, 'Transpose')).toBe(0);
  });
});

describe('Dense', () => {
  it.each(['linear', 'relu', 'softmax', 'sigmoid', 'tanh'] as const)(
    'Gemm with bias, activation %s',
    async (activation) => {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 7, inputShape: [9], activation })] });
      randomizeWeights(model, 32);
      await expectParity(model, { batch: 5 });
    },
  );

  it('without bias', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [6], useBias: false })] });
    randomizeWeights(model, 33);
    const { bytes } = await expectParity(model);
    expect(opCount(bytes, 'Gemm')).toBe(1);
  });

  it('stores the Gemm kernel [out, in] with transB=1 (as torch.onnx does; OpenCV requires it)', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] });
    randomizeWeights(model, 35);
    const { bytes } = await expectParity(model);
    const { graph } = decodeModel(bytes);
    const gemm = graph.node.find((n) => n.op_type === 'Gemm');
    expect(gemm?.attribute.map((a) => [a.name, a.i])).toEqual([['transB', 1]]);
    const kernel = graph.initializer.find((t) => t.name === gemm?.input[1]);
    expect(kernel?.dims.map(Number)).toEqual([3, 2]);
    const stored = new Float32Array(new Uint8Array(kernel?.raw_data ?? []).slice().buffer);
    const [tfjsKernel] = model.layers[0]?.getWeights() ?? [];
    // Row o of the stored kernel is column o of the tfjs [in, out] kernel.
    expect(Array.from(stored)).toEqual(Array.from(tf.transpose(tfjsKernel as tf.Tensor).dataSync()));
  });

  it('on a rank-5 tensor acts on the channel axis (MatMul + Add, channels-last)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv3d({ filters: 3, kernelSize: 2, inputShape: [4, 4, 4, 2] }),
        tf.layers.dense({ units: 5, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    randomizeWeights(model, 34);
    const { bytes } = await expectParity(model);
    expect(opCount(bytes, 'MatMul')).toBe(1);
    expect(opCount(bytes, 'Transpose')).toBe(2);
  });
});
