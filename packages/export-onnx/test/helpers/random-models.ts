// Seeded random architectures drawn from the generator tables in ./fuzz (one file per layer family): 1D, 2D and
// 3D inputs, Sequential and functional models, one or two inputs and outputs.
import type { Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { FuzzGraph, GENERATORS, HEADS } from './fuzz/index.js';
import { randomizeWeights } from './tfjs.js';

export interface RandomModel {
  model: tf.LayersModel;
  /** One line per layer, for failure messages. */
  description: string;
  /** Per input, without the batch. */
  inputShapes: number[][];
  /** Option tags drawn (see Generator.covers). */
  tags: Set<string>;
}

const SIZES: Record<number, [number, number]> = { 1: [6, 14], 2: [5, 10], 3: [4, 7] };

export function randomModel(rng: Rng, seed: number): RandomModel {
  const rank = rng.pick([1, 2, 2, 3, 3, 3]);
  const [lo, hi] = SIZES[rank] as [number, number];
  const inputShape = [...Array.from({ length: rank }, () => rng.int(lo, hi)), rng.int(1, 3)];
  const functional = rng.chance(0.6);
  const inputs = [tf.input({ shape: inputShape, name: 'input' })];
  let current = inputs[0] as tf.SymbolicTensor;
  const lines = [`${functional ? 'Functional' : 'Sequential'} input ${JSON.stringify(inputShape)}`];
  const tags = new Set<string>([functional ? 'Functional' : 'Sequential']);
  if (functional && rng.chance(0.25)) {
    inputs.push(tf.input({ shape: inputShape, name: 'second_input' }));
    const merge = rng.pick(['add', 'concatenate'] as const);
    current = tf.layers[merge]({}).apply(inputs) as tf.SymbolicTensor;
    lines.push(`two inputs, ${merge}`);
    tags.add('two inputs');
  }
  const g = new FuzzGraph(rng, current, functional, lines, tags);
  const steps = rng.int(2, 6);
  for (let i = 0; i < steps; i++) rng.pick(GENERATORS.filter((gen) => gen.applies(g))).draw(g);

  const outputs: tf.SymbolicTensor[] = [];
  const heads = HEADS.filter((h) => h.applies(g));
  if (functional && heads.length > 1 && rng.chance(0.3)) {
    for (const head of heads) {
      const branch = g.fork();
      head.draw(branch);
      outputs.push(branch.current);
    }
    g.tag('two outputs');
  } else {
    rng.pick(heads).draw(g);
    outputs.push(g.current);
  }
  const model = functional
    ? tf.model({ inputs, outputs, name: `random_${seed}` })
    : tf.sequential({ layers: [tf.layers.inputLayer({ inputShape }), ...g.layers], name: `random_${seed}` });
  randomizeWeights(model, seed);
  return {
    model,
    description: lines.join(' → '),
    inputShapes: inputs.map(() => inputShape),
    tags,
  };
}
