import { Cropping3D, UpSampling3D, ZeroPadding3D } from '@conv3d/train/layers';
import * as tf from '@tensorflow/tfjs';
import { cycler, type FuzzGraph, type Generator } from './graph.js';

const nextInterpolation = cycler(['nearest', 'bilinear'] as const);

const pairs = (g: FuzzGraph, max: number) =>
  g.spatial.map((): [number, number] => [g.rng.int(0, max), g.rng.int(0, max)]);

const zeroPadding: Generator = {
  name: 'ZeroPadding',
  covers: ['ZeroPadding2D', 'ZeroPadding3D'],
  applies: (g) => (g.rank === 2 || g.rank === 3) && g.spatial.every((s) => s <= 8),
  draw(g) {
    const padding = pairs(g, 2);
    if (g.rank === 2)
      g.apply(
        tf.layers.zeroPadding2d({ padding: padding as [[number, number], [number, number]] }),
        { padding },
        'ZeroPadding2D',
      );
    else
      g.apply(
        new ZeroPadding3D({ padding: padding as [[number, number], [number, number], [number, number]] }),
        { padding },
        'ZeroPadding3D',
      );
  },
};

const cropping: Generator = {
  name: 'Cropping',
  covers: ['Cropping2D', 'Cropping3D'],
  applies: (g) => (g.rank === 2 || g.rank === 3) && g.spatial.every((s) => s >= 4),
  draw(g) {
    const cropping = pairs(g, 1);
    if (g.rank === 2)
      g.apply(
        tf.layers.cropping2D({ cropping: cropping as [[number, number], [number, number]] }),
        { cropping },
        'Cropping2D',
      );
    else
      g.apply(
        new Cropping3D({ cropping: cropping as [[number, number], [number, number], [number, number]] }),
        { cropping },
        'Cropping3D',
      );
  },
};

const upSampling: Generator = {
  name: 'UpSampling',
  covers: ['UpSampling2D nearest', 'UpSampling2D bilinear', 'UpSampling3D'],
  applies: (g) => (g.rank === 2 || g.rank === 3) && g.spatial.reduce((a, b) => a * b, 1) <= 120,
  draw(g) {
    const size = g.spatial.map(() => g.rng.int(1, 2));
    if (g.rank === 3) {
      g.apply(new UpSampling3D({ size: size as [number, number, number] }), { size }, 'UpSampling3D');
      return;
    }
    const interpolation = nextInterpolation();
    g.apply(
      tf.layers.upSampling2d({ size, interpolation }),
      { size, interpolation },
      `UpSampling2D ${interpolation}`,
    );
  },
};

export const SPATIAL_GENERATORS: readonly Generator[] = [zeroPadding, cropping, upSampling];
