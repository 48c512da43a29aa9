// Keras's Cropping3D, which tfjs 4.22 lacks: elements removed before and after each of the three spatial axes.
import * as tf from '@tensorflow/tfjs';
import {
  type DataFormat,
  firstSpatialAxis,
  onlyInput,
  onlyShape,
  type TriplePairs,
  toDataFormat,
  toTriplePairs,
} from './spatial-3d-args.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface Cropping3DArgs extends LayerArgs {
  /** An int, one int per spatial axis, or a [begin, end] pair per spatial axis (default 1). */
  cropping?: TriplePairs;
  dataFormat?: DataFormat;
}

export class Cropping3D extends tf.layers.Layer {
  static readonly className = 'Cropping3D';
  readonly cropping: [number, number][];
  readonly dataFormat: DataFormat;

  constructor(args: Cropping3DArgs = {}) {
    super(args);
    const what = `Cropping3D${args.name ? ` '${args.name}'` : ''}`;
    this.cropping = toTriplePairs(args.cropping ?? 1, `${what} cropping`);
    this.dataFormat = toDataFormat(args.dataFormat, what);
    this.inputSpec = [new tf.InputSpec({ ndim: 5 })];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = [...onlyShape(inputShape, 'Cropping3D')];
    const first = firstSpatialAxis(this.dataFormat);
    this.cropping.forEach(([begin, end], i) => {
      const d = shape[first + i];
      if (d === null || d === undefined) return;
      if (d - begin - end < 1) {
        throw new Error(
          `Cropping3D '${this.name}': cropping ${begin} + ${end} leaves nothing of an axis of ${d}`,
        );
      }
      shape[first + i] = d - begin - end;
    });
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = onlyInput(inputs);
    const first = firstSpatialAxis(this.dataFormat);
    const begin = [0, 0, 0, 0, 0];
    const size = [...x.shape];
    this.cropping.forEach(([b, e], i) => {
      begin[first + i] = b;
      size[first + i] = (x.shape[first + i] as number) - b - e;
    });
    return tf.slice(x, begin, size);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { cropping: this.cropping, dataFormat: this.dataFormat, ...super.getConfig() };
  }
}

tf.serialization.registerClass(Cropping3D);
