import { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { convertModel, decodeModel } from '../src/index.js';
import { maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { TOLERANCE } from './helpers/parity.js';
import { predictCpu, randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

/** Embedding ids → Masking-free GRU sequence → TimeDistributed Dense → Bidirectional LSTM → Dense softmax. */
function sequenceModel(time: number | null): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 6, outputDim: 3, inputShape: [time] as number[] }),
      tf.layers.gru({ units: 4, returnSequences: true }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'relu' }) }),
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2 }) as tf.layers.RNN }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

it('a model saved with a fixed length exports with a symbolic time axis: one file serves every length', async () => {
  const fixed = sequenceModel(5);
  randomizeWeights(fixed, 91);
  const { bytes, summary } = convertModel(fixed);
  expect(summary.freeSize).toBe(true);
  const dims = decodeModel(bytes).graph.input[0]?.type.tensor_type.shape.dim ?? [];
  expect(dims).toEqual([{ dim_param: 'N' }, { dim_param: 'T' }]);
  // The reference for other lengths: the same weights in a tfjs model whose time axis is free.
  const free = sequenceModel(null);
  free.setWeights(fixed.getWeights());
  for (const length of [1, 5, 9]) {
    const ids = Float32Array.from(new Rng(length).floats(2 * length, 0, 6), Math.floor);
    const expected = predictCpu(free, ids, [2, length]);
    expect(maxAbsDiff(expected, await runOnnx(bytes, ids, [2, length])), `T = ${length}`).toBeLessThanOrEqual(
      TOLERANCE,
    );
  }
});

it('keeps the saved length when a layer bakes it in, and says which; --fixed-size keeps it too', () => {
  const flattened = tf.sequential({
    layers: [tf.layers.lstm({ units: 2, returnSequences: true, inputShape: [4, 3] }), tf.layers.flatten()],
  });
  const { summary } = convertModel(flattened);
  expect(summary.freeSize).toBe(false);
  expect(summary.inputShapes).toEqual([['N', 4, 3]]);
  expect(summary.fixedSizeReason).toMatch(/layer 'flatten\w*' \(Flatten\)/);
  const recurrent = tf.sequential({ layers: [tf.layers.gru({ units: 2, inputShape: [4, 3] })] });
  expect(convertModel(recurrent).summary.inputShapes).toEqual([['N', 'T', 3]]);
  expect(convertModel(recurrent, { fixedSize: true }).summary.inputShapes).toEqual([['N', 4, 3]]);
});

it('ConvLSTM2D and a PReLU slope per step keep the saved sizes and say why; a shared PReLU slope stays free', () => {
  const convLstm = tf.sequential({
    layers: [tf.layers.convLstm2d({ filters: 2, kernelSize: 2, inputShape: [3, 5, 5, 1] })],
  });
  const lstmSummary = convertModel(convLstm).summary;
  expect(lstmSummary.inputShapes).toEqual([['N', 3, 5, 5, 1]]);
  expect(lstmSummary.fixedSizeReason).toMatch(/\(ConvLSTM2D\) sizes its Scan states from the frame H and W/);
  const prelu = (sharedAxes?: number[]) =>
    tf.sequential({
      layers: [
        tf.layers.gru({ units: 2, returnSequences: true, inputShape: [4, 3] }),
        tf.layers.prelu(sharedAxes === undefined ? {} : { sharedAxes }),
      ],
    });
  const perStep = convertModel(prelu()).summary;
  expect(perStep.inputShapes).toEqual([['N', 4, 3]]);
  expect(perStep.fixedSizeReason).toMatch(/\(PReLU\) has a slope per position/);
  expect(convertModel(prelu([1])).summary.inputShapes).toEqual([['N', 'T', 3]]);
});
