// Keras's ZeroPadding3D, which tfjs 4.22 lacks: zeros added before and after each of the three spatial axes.
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

export interface ZeroPadding3DArgs extends LayerArgs {
  /** An int, one int per spatial axis, or a [begin, end] pair per spatial axis (default 1). */
  padding?: TriplePairs;
  dataFormat?: DataFormat;
}

export class ZeroPadding3D extends tf.layers.Layer {
  static readonly className = 'ZeroPadding3D';
  readonly padding: [number, number][];
  readonly dataFormat: DataFormat;

  constructor(args: ZeroPadding3DArgs = {}) {
    super(args);
    const what = `ZeroPadding3D${args.name ? ` '${args.name}'` : ''}`;
    this.padding = toTriplePairs(args.padding ?? 1, `${what} padding`);
    this.dataFormat = toDataFormat(args.dataFormat, what);
    this.inputSpec = [new tf.InputSpec({ ndim: 5 })];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = [...onlyShape(inputShape, 'ZeroPadding3D')];
    const first = firstSpatialAxis(this.dataFormat);
    this.padding.forEach(([begin, end], i) => {
      const d = shape[first + i];
      shape[first + i] = d === null || d === undefined ? null : d + begin + end;
    });
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = onlyInput(inputs);
    const first = firstSpatialAxis(this.dataFormat);
    const pads: [number, number][] = [0, 1, 2, 3, 4].map((a) =>
      a >= first && a < first + 3 ? (this.padding[a - first] as [number, number]) : [0, 0],
    );
    return tf.pad(x, pads);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { padding: this.padding, dataFormat: this.dataFormat, ...super.getConfig() };
  }
}

tf.serialization.registerClass(ZeroPadding3D);
