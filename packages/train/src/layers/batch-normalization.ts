// tfjs 4.22's BatchNormalization throws "not implemented for array of rank 5" on 3D feature maps. With the
// channels on the last axis, normalising [N, D, H, W, C] over N·D·H·W is the same as normalising the reshaped
// [N, D·H, W, C], which tfjs implements; this subclass does exactly that and delegates every other rank.
// It is registered under tfjs's own class name, so configs and saved model.json files are unchanged and
// loading a saved model picks it up.
import * as tf from '@tensorflow/tfjs';

type BatchNormArgs = Parameters<typeof tf.layers.batchNormalization>[0];
type Kwargs = Parameters<tf.layers.Layer['call']>[1];

const TfBatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization()).constructor as new (
  args?: BatchNormArgs,
) => tf.layers.Layer;

export class BatchNormalization extends TfBatchNormalization {
  static readonly className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    const axis = (this.getConfig().axis as number | undefined) ?? -1;
    if (x.rank !== 5 || (axis !== -1 && axis !== 4)) return super.call(inputs, kwargs);
    const [n, d, h, w, c] = x.shape as [number, number, number, number, number];
    return tf.tidy(() => {
      const y = super.call(tf.reshape(x, [n, d * h, w, c]), kwargs) as tf.Tensor;
      return tf.reshape(y, x.shape);
    });
  }
}

// The base constructor's type (recovered from an instance) does not carry tfjs's static fromConfig.
tf.serialization.registerClass(
  BatchNormalization as unknown as tf.serialization.SerializableConstructor<BatchNormalization>,
);
