import * as tf from '@tensorflow/tfjs';

/** Keras' GlobalMaxPooling3D, which tfjs 4.22 lacks and conv3d does not ship, as a user would register it. */
export class GlobalMaxPooling3D extends tf.layers.Layer {
  static className = 'GlobalMaxPooling3D';
  override computeOutputShape(shape: tf.Shape): tf.Shape {
    return [shape[0] as number, shape[4] as number];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.max(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs, [1, 2, 3]);
  }
}
tf.serialization.registerClass(GlobalMaxPooling3D);
