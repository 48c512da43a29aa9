// tfjs's ReLU layer (without maxValue) and Activation layer (with 'relu') running fastRelu: its
// gradient is one native pass on the fast CPU backend. Otherwise, and on other backends, they are
// tfjs's own. Registered under tfjs's class names.
import * as tf from '@tensorflow/tfjs';
import { fastRelu } from './fused-relu.js';

type ReLUArgs = Parameters<typeof tf.layers.reLU>[0];
type ActivationArgs = Parameters<typeof tf.layers.activation>[0];
type Kwargs = Parameters<tf.layers.Layer['call']>[1];

const TfReLU = Object.getPrototypeOf(tf.layers.reLU()).constructor as new (
  args?: ReLUArgs,
) => tf.layers.Layer;

const TfActivation = Object.getPrototypeOf(tf.layers.activation({ activation: 'linear' }))
  .constructor as new (
  args: ActivationArgs,
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

export class Activation extends TfActivation {
  static readonly className = 'Activation';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const activation = (this as unknown as { activation: { getClassName(): string } }).activation;
    if (x === undefined || activation.getClassName() !== 'relu') return super.call(inputs, kwargs);
    return fastRelu(x);
  }
}

tf.serialization.registerClass(Activation as unknown as tf.serialization.SerializableConstructor<Activation>);
