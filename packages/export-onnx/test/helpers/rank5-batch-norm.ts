// tfjs 4.22's BatchNormalization throws on rank-5 inputs. For the reference side of the random-model tests this
// subclass normalises [N, D, H, W, C] as the reshaped [N, D·H, W, C] (same statistics per channel), the way
// @conv3d/train patches it, under tfjs's own class name so the exporter sees a plain BatchNormalization.
import * as tf from '@tensorflow/tfjs';

type Kwargs = Parameters<tf.layers.Layer['call']>[1];

const TfBatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as new (
  args?: Parameters<typeof tf.layers.batchNormalization>[0],
) => tf.layers.Layer;

export class Rank5BatchNormalization extends TfBatchNormalization {
  static readonly className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    if (x.rank !== 5) return super.call(inputs, kwargs);
    const [n, d, h, w, c] = x.shape as [number, number, number, number, number];
    return tf.tidy(() =>
      tf.reshape(super.call(tf.reshape(x, [n, d * h, w, c]), kwargs) as tf.Tensor, x.shape),
    );
  }
}
