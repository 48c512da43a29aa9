// tfjs's ReLU layer (without maxValue) and Activation layer (with 'relu') running fastRelu: its
// gradient is one native pass on the fast CPU backend. Otherwise, and on other backends, they are
// tfjs's own. Registered under tfjs's class names.
import * as tf from '@tensorflow/tfjs';
import { fastRelu } from './fused-relu.js';
import { alreadyRectified } from './rectified.js';

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

/** A ReLU layer without maxValue: max(0, x) exactly. */
export function plainRelu(layer: tf.layers.Layer): boolean {
  return (layer as unknown as { maxValue?: number }).maxValue == null;
}

export class ReLU extends TfReLU {
  static readonly className = 'ReLU';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined || !plainRelu(this)) return super.call(inputs, kwargs);
    // relu(relu(z)) = relu(z), and the fused kernel's gradient already applies this mask.
    if (alreadyRectified(x)) return x;
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
