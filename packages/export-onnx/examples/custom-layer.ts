// A custom tfjs layer (a learned per-channel scale and shift) and its ONNX converter. Register the class with tfjs
// so model.json files that use it load, and its converter with the exporter so they convert.
import { registerConverter, single } from '@conv3d/export-onnx';
import * as tf from '@tensorflow/tfjs';

export class ChannelAffine extends tf.layers.Layer {
  static readonly className = 'ChannelAffine';
  private scale?: tf.LayerVariable;
  private shift?: tf.LayerVariable;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = (inputShape as tf.Shape).at(-1) as number;
    this.scale = this.addWeight('scale', [channels], 'float32', tf.initializers.ones());
    this.shift = this.addWeight('shift', [channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    return tf.tidy(() => tf.add(tf.mul(x, this.scale?.read() as tf.Tensor), this.shift?.read() as tf.Tensor));
  }
}
tf.serialization.registerClass(ChannelAffine);

registerConverter('ChannelAffine', {
  doc: { onnx: 'Mul, Add', options: 'per-channel scale and shift' },
  convert(args) {
    const { graph, layer, weights } = args;
    // The input as tfjs holds it (channels last), so [C]-shaped constants broadcast over the channels.
    const x = graph.in(single(args), 'channelsLast');
    const constant = (name: string) => {
      const { shape, data } = weights.required(name);
      return graph.addFloatInitializer(`${layer.name}/${name}`, shape, data);
    };
    const scaled = graph.addNode('Mul', [x, constant('scale')], {}, `${layer.name}/scale`);
    const out = graph.addNode('Add', [scaled, constant('shift')], {}, layer.name);
    return graph.value(args.outputShape, 'channelsLast', out);
  },
});
