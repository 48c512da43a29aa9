import * as tf from '@tensorflow/tfjs';
import { beforeAll, it } from 'vitest';
import { expectParity } from './helpers/parity.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

it('a Sequential used as a layer of a Sequential', async () => {
  const inner = tf.sequential({
    name: 'inner',
    layers: [
      tf.layers.conv2d({
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        inputShape: [6, 6, 2],
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
    ],
  });
  const model = tf.sequential({ layers: [inner, tf.layers.flatten(), tf.layers.dense({ units: 4 })] });
  randomizeWeights(model, 41);
  await expectParity(model);
});

it('a Sequential block called twice (shared weights) and a two-output functional block inside a functional model', async () => {
  const block = tf.sequential({
    name: 'block',
    layers: [tf.layers.dense({ units: 5, activation: 'tanh', inputShape: [5] })],
  });
  const x = tf.input({ shape: [5] });
  const a = tf.layers.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 2, activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
  const split = tf.model({ name: 'split', inputs: x, outputs: [a, b] });

  const input = tf.input({ shape: [5] });
  const once = block.apply(input) as tf.SymbolicTensor;
  const twice = block.apply(once) as tf.SymbolicTensor;
  const [left, right] = split.apply(twice) as tf.SymbolicTensor[];
  const merged = tf.layers.concatenate({}).apply([left as tf.SymbolicTensor, right as tf.SymbolicTensor]);
  const model = tf.model({ inputs: input, outputs: merged as tf.SymbolicTensor });
  randomizeWeights(block, 42);
  randomizeWeights(split, 43);
  await expectParity(model);
});
