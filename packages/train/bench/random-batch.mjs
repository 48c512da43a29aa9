// One seeded batch of n preprocessed-shaped inputs [n, 16, 16, 16, 3] and one-hot labels cycling 0–9, for the
// step benches.
import * as tf from '@tensorflow/tfjs';

export function randomBatch(n) {
  const xs = tf.randomUniform([n, 16, 16, 16, 3], 0, 1, 'float32', 1);
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  );
  const ys = tf.oneHot(labels, 10).toFloat();
  labels.dispose();
  return { xs, ys };
}
