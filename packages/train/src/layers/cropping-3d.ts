// Keras's Cropping3D, which tfjs 4.22 lacks: elements removed before and after each of the three spatial axes.
import * as tf from '@tensorflow/tfjs';
import { PerAxisPairs3D } from './per-axis-pairs-3d.js';
import { type DataFormat, firstSpatialAxis, onlyInput, type TriplePairs } from './spatial-3d-args.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface Cropping3DArgs extends LayerArgs {
  /** An int, one int per spatial axis, or a [begin, end] pair per spatial axis (default 1). */
  cropping?: TriplePairs;
  dataFormat?: DataFormat;
}

export class Cropping3D extends PerAxisPairs3D {
  static readonly className = 'Cropping3D';
  protected readonly sign = -1;

  constructor(args: Cropping3DArgs = {}) {
    super(args, 'Cropping3D', 'cropping', args.cropping);
  }

  get cropping(): [number, number][] {
    return this.pairs;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = onlyInput(inputs);
    const first = firstSpatialAxis(this.dataFormat);
    const begin = [0, 0, 0, 0, 0];
    const size = [...x.shape];
    this.pairs.forEach(([b, e], i) => {
      begin[first + i] = b;
      size[first + i] = (x.shape[first + i] as number) - b - e;
    });
    return tf.slice(x, begin, size);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { cropping: this.pairs, dataFormat: this.dataFormat, ...super.getConfig() };
  }
}

tf.serialization.registerClass(Cropping3D);
