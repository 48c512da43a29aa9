// The seed model's whole training step on the fast CPU backend against tfjs's stock `cpu`
// backend: loss, every weight gradient, and the weights after two Adam steps (model.trainOnBatch,
// the path training takes). Tolerance as for the kernels: max |fast - cpu| <= 1e-5 * max |cpu|.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAST_CPU_BACKEND, useFastCpuBackend } from '../src/fast-cpu/index.js';
import { type Computed, expectClose, randomArray, runOn } from './fast-cpu-helpers.js';

const BATCH = 6;

function seedModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv3d({
        inputShape: [16, 16, 16, 3],
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: 'heUniform',
      }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.conv3d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: 'heUniform' }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: 'heUniform' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

// Voxel colours in [0, 1) like the preprocessed data; non-zero biases so bias gradients matter.
const x = randomArray([BATCH, 16, 16, 16, 3], 1).map((v) => (v + 1) / 2);
const labels = Array.from(randomArray([BATCH], 2), (v) => Math.floor(((v + 1) / 2) * 10));
let initial: Computed[];

beforeAll(async () => {
  await useFastCpuBackend();
  await tf.setBackend('cpu');
  const model = seedModel();
  initial = model.getWeights().map((w, i) => ({
    shape: w.shape,
    values:
      w.shape.length === 1
        ? randomArray(w.shape, 50 + i).map((v) => v / 10)
        : Float32Array.from(w.dataSync()),
  }));
  model.dispose();
});

/** A fresh seed model on the current backend holding the shared initial weights. */
function modelWithInitialWeights(): tf.Sequential {
  const model = seedModel();
  model.setWeights(initial.map((w) => tf.tensor(w.values, w.shape)));
  return model;
}

describe('one seed-model train step on the fast backend equals stock cpu', () => {
  it('loss and all weight gradients', async () => {
    const compute = () => {
      const model = modelWithInitialWeights();
      const xt = tf.tensor5d(x, [BATCH, 16, 16, 16, 3]);
      const yt = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
      const { value, grads } = tf.variableGrads(
        () => tf.metrics.categoricalCrossentropy(yt, model.apply(xt) as tf.Tensor).mean() as tf.Scalar,
      );
      const out = [value, ...model.trainableWeights.map((w) => grads[w.originalName] as tf.Tensor)];
      model.dispose();
      return out;
    };
    const expected = await runOn('cpu', compute);
    const actual = await runOn(FAST_CPU_BACKEND, compute);
    expect(expected.length).toBe(9);
    const names = ['loss', 'conv1 kernel', 'conv1 bias', 'conv2 kernel', 'conv2 bias', 'dense1 kernel'];
    expectClose(actual, expected, [...names, 'dense1 bias', 'dense2 kernel', 'dense2 bias']);
  });

  it('weights after two SGD steps through model.trainOnBatch', async () => {
    const train = async (backend: string): Promise<Computed[]> => {
      await tf.setBackend(backend);
      const model = modelWithInitialWeights();
      model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
      const xt = tf.tensor5d(x, [BATCH, 16, 16, 16, 3]);
      const yt = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
      await model.trainOnBatch(xt, yt);
      const loss = (await model.trainOnBatch(xt, yt)) as number;
      const out: Computed[] = [{ shape: [], values: Float32Array.of(loss) }];
      for (const w of model.getWeights())
        out.push({ shape: w.shape, values: Float32Array.from(w.dataSync()) });
      tf.dispose([xt, yt]);
      model.dispose();
      return out;
    };
    const expected = await train('cpu');
    const actual = await train(FAST_CPU_BACKEND);
    const names = expected.map((_, i) => (i === 0 ? 'second-step loss' : `weight ${i - 1}`));
    expectClose(actual, expected, names);
  });

  // Adam divides each update by the gradient's running RMS, so for near-zero gradients it turns
  // summation-order noise (~1e-7 relative) into visibly different updates; its own arithmetic is
  // therefore checked on identical gradients, where the two backends must agree exactly.
  it('Adam updates from identical gradients', async () => {
    const grads = initial.map((w, i) => randomArray(w.shape, 200 + i).map((v) => v * 10 ** ((i % 4) - 4)));
    const update = async (backend: string): Promise<Computed[]> => {
      await tf.setBackend(backend);
      const variables = initial.map((w, i) => tf.variable(tf.tensor(w.values, w.shape), true, `w${i}`));
      const adam = tf.train.adam(1e-3);
      for (let step = 0; step < 2; step++) {
        adam.applyGradients(
          variables.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[i] ?? [], v.shape) })),
        );
      }
      const out = variables.map((v) => ({ shape: v.shape, values: Float32Array.from(v.dataSync()) }));
      tf.dispose(variables);
      adam.dispose();
      return out;
    };
    const expected = await update('cpu');
    const actual = await update(FAST_CPU_BACKEND);
    for (const [i, e] of expected.entries()) expect(actual[i]?.values, `weight ${i}`).toEqual(e.values);
  });
});
