import * as tf from '@tensorflow/tfjs';
import { type Generator, paddingFor } from './graph.js';

type PoolArgs = Parameters<typeof tf.layers.maxPooling3d>[0];
const POOLS: Record<string, (a: PoolArgs) => tf.layers.Layer> = {
  MaxPooling1D: (a) => tf.layers.maxPooling1d(a as Parameters<typeof tf.layers.maxPooling1d>[0]),
  AveragePooling1D: (a) => tf.layers.averagePooling1d(a as Parameters<typeof tf.layers.averagePooling1d>[0]),
  MaxPooling2D: (a) => tf.layers.maxPooling2d(a as Parameters<typeof tf.layers.maxPooling2d>[0]),
  AveragePooling2D: (a) => tf.layers.averagePooling2d(a as Parameters<typeof tf.layers.averagePooling2d>[0]),
  MaxPooling3D: (a) => tf.layers.maxPooling3d(a),
  AveragePooling3D: (a) => tf.layers.averagePooling3d(a),
};

const pooling: Generator = {
  name: 'pooling',
  covers: [...Object.keys(POOLS), 'pool padding same', 'pool padding valid', 'pool stride differs from size'],
  applies: (g) => g.rank >= 1 && g.rank <= 3 && g.spatial.every((s) => s >= 2),
  draw(g) {
    const poolSize = g.spatial.map((s) => Math.min(s, g.rng.int(1, 3)));
    const strides = g.spatial.map(() => g.rng.int(1, 2));
    const padding = paddingFor(
      g,
      poolSize,
      strides,
      poolSize.map(() => 1),
      1,
    );
    const className = `${g.rng.pick(['Max', 'Average'] as const)}Pooling${g.rank}D`;
    // tfjs's 1D pooling takes one number per option.
    const args = (
      g.rank === 1 ? { poolSize: poolSize[0], strides: strides[0], padding } : { poolSize, strides, padding }
    ) as PoolArgs;
    g.apply(
      (POOLS[className] as (a: PoolArgs) => tf.layers.Layer)(args),
      args,
      className,
      `pool padding ${padding}`,
    );
    if (strides.some((s, i) => s !== poolSize[i])) g.tag('pool stride differs from size');
  },
};

export const POOLING_GENERATORS: readonly Generator[] = [pooling];
