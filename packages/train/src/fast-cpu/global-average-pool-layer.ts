// The GlobalAveragePooling3D layer (layers/global-average-pooling-3d.ts) with its average as one
// pass each way on the fast CPU backend (global-average-pool.ts); tfjs's Mean elsewhere. Registered
// under the same class name, like the parent.
import * as tf from '@tensorflow/tfjs';
import { GlobalAveragePooling3D as PlainGlobalAveragePooling3D } from '../layers/global-average-pooling-3d.js';
import { globalAveragePool3d } from './global-average-pool.js';

export class GlobalAveragePooling3D extends PlainGlobalAveragePooling3D {
  static override readonly className = 'GlobalAveragePooling3D';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => globalAveragePool3d(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs));
  }
}

tf.serialization.registerClass(GlobalAveragePooling3D);
