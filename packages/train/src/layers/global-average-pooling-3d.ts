// tfjs 4.22 has GlobalAveragePooling1D/2D but no 3D version. This one mirrors Keras's layer (keepdims false) under
// Keras's class name, so configs, saved model.json files and the ONNX exporter all see the same
// 'GlobalAveragePooling3D'. Like tfjs-layers' pooling layers it declares its input spec (5-D) and data format;
// only channels-last is implemented, and anything else fails at construction rather than averaging the wrong axes.
import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface GlobalAveragePooling3DArgs extends LayerArgs {
  /** 'channelsLast' (NDHWC, the default and only supported value). */
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

export class GlobalAveragePooling3D extends tf.layers.Layer {
  static readonly className = 'GlobalAveragePooling3D';
  readonly dataFormat: 'channelsLast';

  constructor(args: GlobalAveragePooling3DArgs = {}) {
    super(args);
    const dataFormat = args.dataFormat ?? 'channelsLast';
    if (dataFormat !== 'channelsLast') {
      throw new Error(
        `GlobalAveragePooling3D${args.name ? ` '${args.name}'` : ''}: dataFormat '${String(dataFormat)}' is not supported; only 'channelsLast' (NDHWC)`,
      );
    }
    this.dataFormat = dataFormat;
    this.inputSpec = [new tf.InputSpec({ ndim: 5 })];
  }

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

  override getConfig(): tf.serialization.ConfigDict {
    return { dataFormat: this.dataFormat, ...super.getConfig() };
  }
}

tf.serialization.registerClass(GlobalAveragePooling3D);
