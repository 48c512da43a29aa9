// The seed architecture as a tfjs model carrying its contract, as @conv3d/train saves it (the exporter writes the
// contract into the file): the model the export benches time.
import { contractToMetadata, SEED_CONTRACT } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';

export function seedModel() {
  const model = tf.sequential({
    layers: [
      tf.layers.conv3d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [16, 16, 16, 3] }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.conv3d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.setUserDefinedMetadata({ conv3d: contractToMetadata(SEED_CONTRACT) });
  return model;
}
