// Small Conv3D-only segmentation models built in tfjs and exported with @conv3d/export-onnx (fixed size; per-voxel
// softmax on axis −1): the fixtures the browser segmentation tests, the demo and the benchmark load.
import { contractToMetadata, defineContract, Rng } from '@conv3d/core';
import { convertModel } from '@conv3d/export-onnx';
import * as tf from '@tensorflow/tfjs';

/** What the fixtures segment: three intensity bands of a one-channel volume, no preprocessing. */
export const SEGMENT_LABELS = ['background', 'shell', 'core'];

function contract(grid) {
  return defineContract({
    task: 'segment',
    labels: SEGMENT_LABELS,
    grid,
    rawChannels: 1,
    preprocessing: 'none',
    inputKind: 'preprocessed',
    segmentation: { output: 'probabilities', freeSize: false },
  });
}

function exported(model, grid) {
  model.setUserDefinedMetadata({ conv3d: contractToMetadata(contract(grid)) });
  const { bytes } = convertModel(model);
  model.dispose();
  return bytes;
}

/**
 * A threshold segmenter: one 1³ Conv3D with logits 0, 30x − 10, 60x − 30, then softmax: below 1/3 'background',
 * up to 2/3 'shell', above 'core'. Its label map is known from the volume alone (the demo's screenshot test).
 */
export function thresholdSegmenter(grid = [16, 16, 16]) {
  tf.setBackend('cpu');
  const input = tf.input({ shape: [...grid, 1] });
  const conv = tf.layers.conv3d({ filters: 3, kernelSize: 1, name: 'bands' });
  const output = tf.layers.softmax({ axis: -1 }).apply(conv.apply(input));
  const model = tf.model({ inputs: input, outputs: output, name: 'threshold_segmenter' });
  conv.setWeights([tf.tensor5d([0, 30, 60], [1, 1, 1, 1, 3]), tf.tensor1d([0, -10, -30])]);
  return exported(model, grid);
}

/**
 * A seeded random segmenter: Conv3D 3³ 'same' (4 filters, relu), Conv3D 3³ dilation 2 (4, relu), Conv3D 1³ to 3
 * classes, softmax: real 3³ neighbourhoods for the numerical parity of windows and runtimes.
 */
export function randomSegmenter(grid = [16, 16, 16], seed = 7) {
  tf.setBackend('cpu');
  const input = tf.input({ shape: [...grid, 1] });
  let x = tf.layers.conv3d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input);
  x = tf.layers
    .conv3d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu' })
    .apply(x);
  x = tf.layers.conv3d({ filters: 3, kernelSize: 1 }).apply(x);
  const output = tf.layers.softmax({ axis: -1 }).apply(x);
  const model = tf.model({ inputs: input, outputs: output, name: 'random_segmenter' });
  const rng = new Rng(seed);
  model.setWeights(
    model.getWeights().map((w) => {
      const n = w.size;
      const fanIn = w.shape.length > 1 ? n / w.shape[w.shape.length - 1] : 1;
      const limit = w.shape.length > 1 ? Math.sqrt(6 / fanIn) : 0.3;
      return tf.tensor(rng.floats(n, -limit, limit), w.shape);
    }),
  );
  return exported(model, grid);
}
