// Keras's UpSampling3D, which tfjs 4.22 lacks: each element repeated size[i] times along spatial axis i
// (Keras's repeat_elements; = nearest-neighbour resizing with source index floor(i / size)).
import * as tf from '@tensorflow/tfjs';
import { type DataFormat, firstSpatialAxis, onlyInput, onlyShape, toDataFormat } from './spatial-3d-args.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface UpSampling3DArgs extends LayerArgs {
  /** Repeats per spatial axis: one int for all three, or three (default 2). */
  size?: number | readonly [number, number, number];
  dataFormat?: DataFormat;
}

export class UpSampling3D extends tf.layers.Layer {
  static readonly className = 'UpSampling3D';
  readonly size: [number, number, number];
  readonly dataFormat: DataFormat;

  constructor(args: UpSampling3DArgs = {}) {
    super(args);
    const what = `UpSampling3D${args.name ? ` '${args.name}'` : ''}`;
    const size = args.size ?? 2;
    const list = typeof size === 'number' ? [size, size, size] : [...size];
    if (list.length !== 3 || !list.every((s) => Number.isInteger(s) && s >= 1)) {
      throw new Error(
        `${what}: size must be a positive integer or three of them, got ${JSON.stringify(size)}`,
      );
    }
    this.size = list as [number, number, number];
    this.dataFormat = toDataFormat(args.dataFormat, what);
    this.inputSpec = [new tf.InputSpec({ ndim: 5 })];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = [...onlyShape(inputShape, 'UpSampling3D')];
    const first = firstSpatialAxis(this.dataFormat);
    this.size.forEach((s, i) => {
      const d = shape[first + i];
      shape[first + i] = d === null || d === undefined ? null : d * s;
    });
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = onlyInput(inputs);
      const first = firstSpatialAxis(this.dataFormat);
      this.size.forEach((s, i) => {
        if (s === 1) return;
        const axis = first + i;
        const n = x.shape[axis] as number;
        // Output index j reads input index floor(j / s): a gather, which also has a gradient for training.
        const index = tf.tensor1d(
          Array.from({ length: n * s }, (_, j) => Math.floor(j / s)),
          'int32',
        );
        x = tf.gather(x, index, axis);
      });
      return x;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { size: this.size, dataFormat: this.dataFormat, ...super.getConfig() };
  }
}

tf.serialization.registerClass(UpSampling3D);
