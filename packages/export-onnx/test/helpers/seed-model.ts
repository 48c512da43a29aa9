import { contractToMetadata, preprocessBatch, SEED_CONTRACT } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { realisticRawRows } from './raw-rows.js';

/**
 * The seed tutorial's architecture (optionally with its Dropout(0.5) variant), carrying the seed contract in its
 * user-defined metadata as @conv3d/train saves it.
 */
export function seedModel(dropout = false): tf.Sequential {
  const model = tf.sequential({
    name: dropout ? 'seed_dropout' : 'seed',
    layers: [
      tf.layers.conv3d({
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: 'heUniform',
        inputShape: [...SEED_CONTRACT.inputShape],
      }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.conv3d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: 'heUniform' }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: 'heUniform' }),
      ...(dropout ? [tf.layers.dropout({ rate: 0.5 })] : []),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.setUserDefinedMetadata({ conv3d: contractToMetadata(SEED_CONTRACT) });
  return model;
}

/** realisticRawRows, then the seed's Oranges preprocessing → NDHWC float32. */
export function realisticInputs(count: number, seed: number): Float32Array {
  return preprocessBatch(SEED_CONTRACT, realisticRawRows(count, seed), count);
}
