// tfjs 4.22 has GlobalAveragePooling1D/2D but no 3D version. This one mirrors Keras's layer (channels-last,
// keepdims false) under Keras's class name, so configs, saved model.json files and the ONNX exporter all see
// the same 'GlobalAveragePooling3D'.
import * as tf from '@tensorflow/tfjs';

export class GlobalAveragePooling3D extends tf.layers.Layer {
  static readonly className = 'GlobalAveragePooling3D';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 5) {
      throw new Error(`GlobalAveragePooling3D expects a 5-D NDHWC input, got shape [${shape.join(', ')}]`);
    }
    return [shape[0] as number | null, shape[4] as number | null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      return tf.mean(x, [1, 2, 3]);
    });
  }
}

tf.serialization.registerClass(GlobalAveragePooling3D);
