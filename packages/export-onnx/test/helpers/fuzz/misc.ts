import * as tf from '@tensorflow/tfjs';
import type { Generator } from './graph.js';
import { branch } from './merge.js';

/** Rescaling: x · scale + offset, on any rank. */
const rescaling: Generator = {
  name: 'rescaling',
  covers: ['Rescaling'],
  applies: () => true,
  draw(g) {
    const options = { scale: g.rng.uniform32(-2, 2), offset: g.rng.uniform32(-1, 1) };
    g.apply(tf.layers.rescaling(options), options, 'Rescaling');
  },
};

/** PReLU with a slope per position, or shared over the spatial (time) axes (which keeps sizes free). */
const prelu: Generator = {
  name: 'prelu',
  covers: ['PReLU', 'PReLU sharedAxes'],
  applies: () => true,
  draw(g) {
    const shared = g.rank > 0 && g.rng.chance(0.5);
    const options = shared ? { sharedAxes: Array.from({ length: g.rank }, (_, i) => i + 1) } : {};
    g.apply(tf.layers.prelu(options), options, 'PReLU', ...(shared ? ['PReLU sharedAxes'] : []));
  },
};

/** Dot of the current features [F] or sequence [T, F] with a same-shape branch: tfjs's batchDot. */
const dot: Generator = {
  name: 'dot',
  covers: ['Dot', 'Dot rank 3', 'Dot normalize'],
  applies: (g) => g.functional && g.rank <= 1,
  draw(g) {
    const sequence = g.rank === 1;
    const axes = sequence ? g.rng.pick([1, 2]) : 1;
    const normalize = g.rng.chance(0.4);
    const layer = tf.layers.dot({ axes, normalize });
    g.current = layer.apply([g.current, branch(g)]) as tf.SymbolicTensor;
    g.lines.push(`Dot ${JSON.stringify({ axes, normalize })}(current, branch)`);
    g.tag('Dot', ...(sequence ? ['Dot rank 3'] : []), ...(normalize ? ['Dot normalize'] : []));
  },
};

export const MISC_GENERATORS: readonly Generator[] = [rescaling, prelu, dot];
