// tfjs's ReLU layer with fastRelu (its gradient one native pass on the fast CPU backend) when it
// has no maxValue; otherwise, and on other backends, tfjs's own. Registered under tfjs's name.
import * as tf from '@tensorflow/tfjs';
import { fastRelu } from './fused-relu.js';

type ReLUArgs = Parameters<typeof tf.layers.reLU>[0];
type Kwargs = Parameters<tf.layers.Layer['call']>[1];

const TfReLU = Object.getPrototypeOf(tf.layers.reLU()).constructor as new (
  args?: ReLUArgs,
) => tf.layers.Layer;

export class ReLU extends TfReLU {
  static readonly className = 'ReLU';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined || (this as unknown as { maxValue?: number }).maxValue != null) {
      return super.call(inputs, kwargs);
    }
    return fastRelu(x);
  }
}

tf.serialization.registerClass(ReLU as unknown as tf.serialization.SerializableConstructor<ReLU>);
