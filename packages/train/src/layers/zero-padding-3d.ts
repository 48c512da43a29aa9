// Keras's ZeroPadding3D, which tfjs 4.22 lacks: zeros added before and after each of the three spatial axes.
import * as tf from '@tensorflow/tfjs';
import { PerAxisPairs3D } from './per-axis-pairs-3d.js';
import { type DataFormat, firstSpatialAxis, onlyInput, type TriplePairs } from './spatial-3d-args.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface ZeroPadding3DArgs extends LayerArgs {
  /** An int, one int per spatial axis, or a [begin, end] pair per spatial axis (default 1). */
  padding?: TriplePairs;
  dataFormat?: DataFormat;
}

export class ZeroPadding3D extends PerAxisPairs3D {
  static readonly className = 'ZeroPadding3D';
  protected readonly sign = 1;

  constructor(args: ZeroPadding3DArgs = {}) {
    super(args, 'ZeroPadding3D', 'padding', args.padding);
  }

  get padding(): [number, number][] {
    return this.pairs;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const first = firstSpatialAxis(this.dataFormat);
    const pads = [0, 1, 2, 3, 4].map((a): [number, number] =>
      a >= first && a < first + 3 ? (this.pairs[a - first] as [number, number]) : [0, 0],
    );
    return tf.pad(onlyInput(inputs), pads);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { padding: this.pairs, dataFormat: this.dataFormat, ...super.getConfig() };
  }
}

tf.serialization.registerClass(ZeroPadding3D);
