// Two custom tfjs layers a user might write, for registerConverter's multi-output and mask contracts: MaskedMean
// averages the steps a mask keeps ([N, T, F] → [N, F]); SplitHalves returns the two halves of the features.

import * as tf from '@tensorflow/tfjs';
import { registerConverter, single } from '../../src/index.js';

export class MaskedMean extends tf.layers.Layer {
  static readonly className = 'MaskedMean';
  override supportsMasking = true;

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = inputShape as tf.Shape;
    return [shape[0] as number, shape[2] as number];
  }

  /** No mask downstream. tfjs's typings say Tensor, but its own layers return null for "no mask". */
  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { mask?: tf.Tensor }): tf.Tensor {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    return tf.tidy(() => {
      const keep =
        kwargs.mask === undefined ? tf.onesLike(x) : tf.expandDims(tf.cast(kwargs.mask, 'float32'), -1);
      return tf.div(tf.sum(tf.mul(x, keep), 1), tf.sum(keep, 1));
    });
  }
}

export class SplitHalves extends tf.layers.Layer {
  static readonly className = 'SplitHalves';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const shape = inputShape as tf.Shape;
    const half = [...shape.slice(0, -1), (shape.at(-1) as number) / 2];
    return [half, half];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    return tf.split(x, 2, -1);
  }
}

registerConverter('MaskedMean', {
  consumesMasks: true,
  convert(args) {
    const { graph, layer } = args;
    const input = single(args);
    const x = graph.in(input, 'channelsLast');
    const axes = graph.addInt64Initializer(`${layer.name}/axes`, [1], [1]);
    if (input.mask === undefined) {
      const out = graph.addNode('ReduceMean', [x], { axes: [1], keepdims: 0 }, layer.name);
      return graph.value(args.outputShape, 'channelsLast', out);
    }
    // The exporter's mask is float32 [N, T, 1], 1 on the kept steps.
    const kept = graph.addNode('Mul', [x, input.mask], {}, `${layer.name}/kept`);
    const sum = graph.addNode('ReduceSum', [kept, axes], { keepdims: 0 }, `${layer.name}/sum`);
    const count = graph.addNode('ReduceSum', [input.mask, axes], { keepdims: 0 }, `${layer.name}/count`);
    const out = graph.addNode('Div', [sum, count], {}, layer.name);
    return graph.value(args.outputShape, 'channelsLast', out);
  },
});

registerConverter('SplitHalves', {
  convert(args) {
    const { graph, layer } = args;
    const x = graph.in(single(args), 'channelsLast');
    const outputs = graph.addMultiOutputNode('Split', [x], { axis: -1 }, [
      `${layer.name}/a`,
      `${layer.name}/b`,
    ]);
    const half = [...args.outputShape.slice(0, -1), (args.outputShape.at(-1) as number) / 2];
    return outputs.map((name) => graph.value(half, 'channelsLast', name));
  },
});
