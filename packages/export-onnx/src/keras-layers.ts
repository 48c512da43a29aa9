// Keras layers that tfjs 4.22 lacks but our training app registers (GlobalAveragePooling3D). Loading a saved
// model.json needs a class under that name; the exporter only reads its config, but the class also computes
// Keras's result so a loaded model still predicts. An existing registration (the training app's, in the same
// process) is left in place.
import * as tf from '@tensorflow/tfjs';

export class GlobalAveragePooling3D extends tf.layers.Layer {
  static readonly className = 'GlobalAveragePooling3D';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] as number | null, shape[4] as number | null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mean(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs, [1, 2, 3]));
  }
}

export function registerKerasLayers(): void {
  const registered = tf.serialization.SerializationMap.getMap().classNameMap;
  if (!(GlobalAveragePooling3D.className in registered))
    tf.serialization.registerClass(GlobalAveragePooling3D);
}
