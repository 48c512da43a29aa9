// The common part of ZeroPadding3D and Cropping3D: a [begin, end] pair per spatial axis that adds to (padding) or
// removes from (cropping) each of the three spatial axes.
import * as tf from '@tensorflow/tfjs';
import {
  type DataFormat,
  firstSpatialAxis,
  onlyShape,
  toDataFormat,
  toTriplePairs,
} from './spatial-3d-args.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export abstract class PerAxisPairs3D extends tf.layers.Layer {
  readonly pairs: [number, number][];
  readonly dataFormat: DataFormat;
  /** +1: the pairs add to each axis; −1: they remove from it. */
  protected abstract readonly sign: 1 | -1;

  /** `option` names the pairs in errors ('padding', 'cropping'); `value` is the user's int | triple | pairs. */
  constructor(
    args: LayerArgs & { dataFormat?: DataFormat },
    className: string,
    option: string,
    value: unknown,
  ) {
    super(args);
    const what = `${className}${args.name ? ` '${args.name}'` : ''}`;
    this.pairs = toTriplePairs(value ?? 1, `${what} ${option}`);
    this.dataFormat = toDataFormat(args.dataFormat, what);
    this.inputSpec = [new tf.InputSpec({ ndim: 5 })];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = [...onlyShape(inputShape, this.getClassName())];
    const first = firstSpatialAxis(this.dataFormat);
    this.pairs.forEach(([begin, end], i) => {
      const d = shape[first + i];
      if (d === null || d === undefined) return;
      const size = d + this.sign * (begin + end);
      if (size < 1) {
        throw new Error(
          `${this.getClassName()} '${this.name}': ${begin} + ${end} leaves nothing of an axis of ${d}`,
        );
      }
      shape[first + i] = size;
    });
    return shape;
  }
}
