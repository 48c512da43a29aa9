import { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';

/** The reference: tfjs' stock `cpu` backend. */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * Replaces every weight with seeded random values (tfjs initialisers are not seeded): kernels ~ U(±√(3/fanIn)),
 * biases, BN beta/mean ~ U(±0.3), BN gamma ~ U(0.5, 1.5), moving variance ~ U(0.3, 2).
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const values = layer.weights.map((w) => {
      const shape = w.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      let data: Float32Array;
      if (short === 'moving_variance') data = rng.floats(n, 0.3, 2);
      else if (short === 'gamma') data = rng.floats(n, 0.5, 1.5);
      else if (shape.length <= 1) data = rng.floats(n, -0.3, 0.3);
      else {
        const fanIn = n / (shape[shape.length - 1] as number);
        const limit = Math.sqrt(3 / fanIn);
        data = rng.floats(n, -limit, limit);
      }
      return tf.tensor(data, shape);
    });
    if (values.length > 0) layer.setWeights(values);
    tf.dispose(values);
  }
}

export function predictCpu(
  model: tf.LayersModel,
  input: Float32Array,
  shape: readonly number[],
): Float32Array {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor(input, [...shape])) as tf.Tensor;
    return y.dataSync() as Float32Array;
  });
}
