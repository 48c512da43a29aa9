import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { selectBackend } from '../src/backend.js';
import { BatchNormalization } from '../src/layers/batch-normalization.js';
import { GlobalAveragePooling3D } from '../src/layers/global-average-pooling-3d.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** Per-channel statistics over every other axis, in float64, as an independent reference. */
function channelStats(x: Float32Array, channels: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const n = x.length / channels;
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    mean[c] = (mean[c] as number) + (x[i] as number) / n;
  }
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    variance[c] = (variance[c] as number) + ((x[i] as number) - (mean[c] as number)) ** 2 / n;
  }
  return { mean, variance };
}

test('BatchNormalization on 5-D NDHWC input matches the per-channel formula (training and inference)', () => {
  const channels = 3;
  const x = tf.randomNormal([2, 4, 3, 5, channels], 1.5, 2, 'float32', 7);
  const xs = x.dataSync() as Float32Array;
  const layer = new BatchNormalization({ epsilon: 1e-3, momentum: 0.9 });
  const trained = (layer.apply(x, { training: true }) as tf.Tensor).dataSync();
  const { mean, variance } = channelStats(xs, channels);
  let maxErr = 0;
  for (let i = 0; i < xs.length; i++) {
    const c = i % channels;
    const expected = ((xs[i] as number) - (mean[c] as number)) / Math.sqrt((variance[c] as number) + 1e-3);
    maxErr = Math.max(maxErr, Math.abs((trained[i] as number) - expected));
  }
  expect(maxErr).toBeLessThan(1e-5);

  // One training call moves the moving statistics from (0, 1) by (1 - momentum) towards the batch's.
  const [, , movingMean, movingVar] = layer.getWeights().map((w) => w.dataSync());
  for (let c = 0; c < channels; c++) {
    expect(movingMean?.[c]).toBeCloseTo(0.1 * (mean[c] as number), 5);
    // tfjs uses the biased batch variance for the moving average.
    expect(movingVar?.[c]).toBeCloseTo(0.9 + 0.1 * (variance[c] as number), 4);
  }
  const inferred = (layer.apply(x, { training: false }) as tf.Tensor).dataSync();
  maxErr = 0;
  for (let i = 0; i < xs.length; i++) {
    const c = i % channels;
    const expected =
      ((xs[i] as number) - (movingMean?.[c] as number)) / Math.sqrt((movingVar?.[c] as number) + 1e-3);
    maxErr = Math.max(maxErr, Math.abs((inferred[i] as number) - expected));
  }
  expect(maxErr).toBeLessThan(1e-5);
});

test('GlobalAveragePooling3D averages each channel over depth, height and width', () => {
  const x = tf.randomUniform([2, 3, 4, 5, 6], 0, 1, 'float32', 3);
  const y = new GlobalAveragePooling3D({}).apply(x) as tf.Tensor;
  expect(y.shape).toEqual([2, 6]);
  const xs = x.dataSync();
  const ys = y.dataSync();
  for (let b = 0; b < 2; b++) {
    const sums = new Float64Array(6);
    for (let i = 0; i < 60 * 6; i++) sums[i % 6] = (sums[i % 6] as number) + (xs[b * 360 + i] as number);
    for (let c = 0; c < 6; c++) expect(ys[b * 6 + c]).toBeCloseTo((sums[c] as number) / 60, 6);
  }
});

test('GlobalAveragePooling3D declares a 5-D input spec and its data format, and refuses channels-first', () => {
  const layer = new GlobalAveragePooling3D({ name: 'gap' });
  expect(layer.inputSpec?.[0]?.ndim).toBe(5);
  expect(layer.getConfig()).toMatchObject({ name: 'gap', dataFormat: 'channelsLast' });
  expect(() => layer.apply(tf.zeros([2, 3, 4, 5]))).toThrow(/expected ndim=5, found ndim=4/);
  expect(() => new GlobalAveragePooling3D({ name: 'nchw', dataFormat: 'channelsFirst' })).toThrow(
    "GlobalAveragePooling3D 'nchw': dataFormat 'channelsFirst' is not supported; only 'channelsLast' (NDHWC)",
  );
  // A saved config carrying channels-first fails as loudly when it is deserialised (tfjs calls fromConfig).
  expect(() =>
    GlobalAveragePooling3D.fromConfig(GlobalAveragePooling3D, { dataFormat: 'channelsFirst' }),
  ).toThrow(/dataFormat 'channelsFirst' is not supported/);
});
