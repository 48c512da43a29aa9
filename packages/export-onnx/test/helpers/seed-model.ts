import { contractToMetadata, preprocessBatch, Rng, SEED_CONTRACT } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';

const VOXELS = SEED_CONTRACT.rawLength;

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

/**
 * Raw 3D MNIST-like rows: a few hundred occupied voxels with point counts, divided by the row's max
 * (as in full_dataset_vectors.h5), then the seed's Oranges preprocessing → NDHWC float32.
 */
export function realisticInputs(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const raw = new Float32Array(count * VOXELS);
  for (let s = 0; s < count; s++) {
    const row = raw.subarray(s * VOXELS, (s + 1) * VOXELS);
    const occupied = rng.int(150, 500);
    for (let i = 0; i < occupied; i++) row[rng.int(0, VOXELS - 1)] = rng.int(1, 40);
    const max = row.reduce((m, v) => Math.max(m, v), 0);
    for (let i = 0; i < VOXELS; i++) row[i] = (row[i] as number) / max;
  }
  return preprocessBatch(SEED_CONTRACT, raw, count);
}
