// The kernels a 3D U-Net's training step adds to the fast CPU backend, against tfjs's stock `cpu`
// backend, for each instruction-set build this CPU runs, on one and two threads (1e-5 relative, as
// fast-cpu-kernels.test.ts): Concat and its gradient's SplitV, the transposed convolution
// (Conv3DBackpropInputV2) and the gradient tfjs lacks for it, broadcasting element-wise ops, Exp,
// Log, Neg, Softmax, middle-axes sums and means at per-voxel softmax shapes, a nearest up-sampling
// by gather (UpSampling3D) with its gradient (Transpose, UnsortedSegmentSum), the BatchNormalization
// + ReLU fusion in a functional graph, and a whole small U-Net's loss and gradients.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fuseBatchNormRelu } from '../src/fast-cpu/batch-norm-layer.js';
import { BatchNormalization, Conv3D, FAST_CPU_BACKEND, ReLU } from '../src/fast-cpu/index.js';
import { expectClose, randomArray, runOn, useNativeBuilds } from './fast-cpu-helpers.js';

type Shape5 = [number, number, number, number, number];
const { forEachBuild } = useNativeBuilds();

/** Values, and gradients of sum(f(inputs) * probe) for each input, on both backends. */
async function expectSameOnBoth(
  shapes: number[][],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  seed: number,
  names: string[],
): Promise<void> {
  const values = shapes.map((s, i) => randomArray(s, seed + i));
  const compute = () => {
    const xs = values.map((v, i) => tf.tensor(v, shapes[i]));
    const y = f(...xs);
    const probe = tf.tensor(randomArray(y.shape, seed + 99), y.shape);
    const grads = tf.grads((...a: tf.Tensor[]) =>
      f(...a)
        .mul(probe)
        .sum(),
    )(xs);
    return [y, ...grads];
  };
  expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), names);
}

describe('Concatenate and its gradient', () => {
  const CASES: [Shape5, Shape5, number][] = [
    [[2, 4, 3, 5, 6], [2, 4, 3, 5, 3], -1],
    // Large enough (> 2^16 values) that two threads split the rows.
    [[2, 16, 16, 16, 1], [2, 16, 16, 16, 16], 4],
    [[3, 2, 3, 4, 5], [3, 5, 3, 4, 5], 1],
  ];
  for (const [i, [a, b, axis]] of CASES.entries()) {
    it(
      `[${a}] ++ [${b}] along axis ${axis}, and three inputs`,
      forEachBuild(async () => {
        await expectSameOnBoth(
          [a, b],
          (x, y) => tf.concat([x as tf.Tensor, y as tf.Tensor], axis),
          600 + 10 * i,
          ['y', 'da', 'db'],
        );
        await expectSameOnBoth(
          [a, b, a],
          (x, y, z) => tf.concat([x as tf.Tensor, y as tf.Tensor, z as tf.Tensor], axis),
          700 + 10 * i,
          ['y', 'da', 'db', 'dc'],
        );
      }),
    );
  }

  it(
    'split into uneven parts along the last axis',
    forEachBuild(async () => {
      const x = randomArray([3, 4, 5, 6, 9], 650);
      const compute = () => tf.split(tf.tensor(x, [3, 4, 5, 6, 9]), [2, 4, 3], -1);
      expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), ['a', 'b', 'c']);
    }),
  );
});

describe('Conv3DTranspose (Conv3DBackpropInputV2) forward and gradients', () => {
  const CASES: { x: Shape5; f: Shape5; out: Shape5; strides: number; pad: 'same' | 'valid' }[] = [
    // The U-Net's up-sampling: kernel 2, stride 2, channels kept.
    { x: [2, 4, 3, 5, 8], f: [2, 2, 2, 8, 8], out: [2, 8, 6, 10, 8], strides: 2, pad: 'same' },
    { x: [2, 3, 3, 3, 6], f: [3, 3, 3, 5, 6], out: [2, 6, 6, 6, 5], strides: 2, pad: 'same' },
    { x: [1, 4, 4, 4, 3], f: [3, 3, 3, 7, 3], out: [1, 6, 6, 6, 7], strides: 1, pad: 'valid' },
  ];
  for (const [i, c] of CASES.entries()) {
    it(
      `x [${c.x}] filter [${c.f}] strides ${c.strides} ${c.pad}`,
      forEachBuild(async () => {
        await expectSameOnBoth(
          [c.x, c.f],
          (x, f) => tf.conv3dTranspose(x as tf.Tensor5D, f as tf.Tensor5D, c.out, c.strides, c.pad),
          800 + 10 * i,
          ['y', 'dx', 'dfilter'],
        );
      }),
    );
  }

  it('the registered gradient is the adjoint of Conv3D: <T(x, f), g> = <x, conv3d(g, f)>, gradients included', async () => {
    // Independent of the gradient's own formula: the two scalars are the same function of x and f,
    // and the right one differentiates through tfjs's own Conv3D gradients.
    const [xs, fs, gs]: [Shape5, Shape5, Shape5] = [
      [2, 4, 3, 5, 8],
      [2, 2, 2, 6, 8],
      [2, 8, 6, 10, 6],
    ];
    const [x, f, g] = [randomArray(xs, 900), randomArray(fs, 901), randomArray(gs, 902)];
    for (const backend of ['cpu', FAST_CPU_BACKEND]) {
      const compute = () => {
        const [xt, ft, gt] = [tf.tensor5d(x, xs), tf.tensor5d(f, fs), tf.tensor5d(g, gs)];
        const left = (a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv3dTranspose(a as tf.Tensor5D, b as tf.Tensor5D, gs, 2, 'same')
            .mul(gt)
            .sum();
        const right = (a: tf.Tensor, b: tf.Tensor) => a.mul(tf.conv3d(gt, b as tf.Tensor5D, 2, 'same')).sum();
        return [left(xt, ft), ...tf.grads(left)([xt, ft]), right(xt, ft), ...tf.grads(right)([xt, ft])];
      };
      const out = await runOn(backend, compute);
      expectClose(out.slice(0, 3), out.slice(3), ['<T(x, f), g>', 'dx', 'dfilter']);
    }
  });
});

describe('per-voxel softmax and Dice shapes: broadcasting ops, Exp, Log, Neg, middle-axes sums', () => {
  const PAIRS: [number[], number[]][] = [
    // Large enough (> 2^16 values) that two threads split the rows.
    [
      [8, 16, 16, 16, 4],
      [8, 16, 16, 16, 1],
    ],
    [
      [8, 1, 1, 1, 4],
      [8, 16, 16, 16, 4],
    ],
    [
      [3, 1, 5],
      [1, 4, 1],
    ],
  ];
  for (const [i, [sa, sb]] of PAIRS.entries()) {
    it(
      `Add, Sub, Multiply, RealDiv of [${sa}] and [${sb}], with gradients`,
      forEachBuild(async () => {
        const ops = [tf.add, tf.sub, tf.mul, tf.div] as const;
        for (const [j, op] of ops.entries()) {
          await expectSameOnBoth([sa, sb], (a, b) => op(a as tf.Tensor, b as tf.Tensor), 1000 + 10 * i + j, [
            'y',
            'da',
            'db',
          ]);
        }
      }),
    );
  }

  it(
    'logSoftmax and Softmax on the last axis, Exp, Log, Neg, and sums and means over middle, last and leading axes',
    forEachBuild(async () => {
      const shape = [8, 16, 16, 16, 4];
      const x = randomArray(shape, 1100);
      const compute = () => {
        const t = tf.tensor(x, shape);
        return [
          tf.logSoftmax(t, -1),
          tf.softmax(t),
          tf.exp(t),
          tf.log(tf.abs(t).add(0.1)),
          tf.neg(t),
          t.sum([1, 2, 3]),
          t.sum(-1, true),
          t.sum([2, 3]),
          t.sum([0, 1]),
          t.mean([1, 2, 3]),
          t.mean(),
          t.mean(-1, true),
        ];
      };
      const names = [
        'logSoftmax',
        'softmax',
        'exp',
        'log',
        'neg',
        'sum 1-3',
        'sum -1 keepDims',
        'sum 2,3',
        'sum 0,1',
        'mean 1-3',
        'mean',
        'mean -1 keepDims',
      ];
      expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), names);
    }),
  );
});

describe('nearest up-sampling by gather (as UpSampling3D), its gradient, transposes and segment sums', () => {
  /** Each element repeated twice along D, H and W: one gather per axis, as the UpSampling3D layer does. */
  const upSample = (x: tf.Tensor) =>
    [1, 2, 3].reduce((y, axis) => {
      const n = y.shape[axis] as number;
      const index = tf.tensor1d(
        Array.from({ length: 2 * n }, (_, j) => Math.floor(j / 2)),
        'int32',
      );
      return tf.gather(y, index, axis);
    }, x);

  it(
    'values and gradient of a 2x up-sampling, small and (two threads) large',
    forEachBuild(async () => {
      await expectSameOnBoth([[2, 3, 4, 5, 6]], upSample, 1300, ['y', 'dx']);
      await expectSameOnBoth([[2, 8, 8, 8, 16]], upSample, 1310, ['y', 'dx']);
    }),
  );

  it(
    'Transpose under several permutations, UnsortedSegmentSum with unused and repeated segments, gather of a 2-D index',
    forEachBuild(async () => {
      const shape = [4, 6, 8, 8, 5];
      const x = randomArray(shape, 1320);
      const compute = () => {
        const t = tf.tensor(x, shape);
        const ids = tf.tensor1d([2, 0, 2, 5], 'int32');
        return [
          tf.transpose(t, [4, 0, 1, 2, 3]),
          tf.transpose(t, [0, 2, 1, 4, 3]),
          tf.transpose(t, [3, 1, 4, 0, 2]),
          tf.unsortedSegmentSum(t, ids, 7),
          tf.gather(t, tf.tensor2d([0, 7, 3, 3, 1, 0], [2, 3], 'int32'), 3),
        ];
      };
      const names = ['transpose 1', 'transpose 2', 'transpose 3', 'segment sum', 'gather 2-D index'];
      expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), names);
    }),
  );
});

/** Two 3³ 'same' Conv3D + BatchNormalization + ReLU, as bench/unet-step.mjs's blocks. */
function block(x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
  let y = x;
  for (let i = 0; i < 2; i++) {
    y = new Conv3D({ filters, kernelSize: 3, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor;
    y = new BatchNormalization({}).apply(y) as tf.SymbolicTensor;
    y = new ReLU({}).apply(y) as tf.SymbolicTensor;
  }
  return y;
}

/** A two-level U-Net: 4 and 8 channels, one skip, a transposed conv up, 3 classes. */
function miniUnet(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 6, 1] });
  const skip = block(input, 4);
  const down = tf.layers.maxPooling3d({ poolSize: 2 }).apply(skip) as tf.SymbolicTensor;
  const bottom = block(down, 8);
  const up = tf.layers
    .conv3dTranspose({ filters: 8, kernelSize: 2, strides: 2, padding: 'same' })
    .apply(bottom);
  const merged = tf.layers
    .concatenate({ axis: -1 })
    .apply([up as tf.SymbolicTensor, skip]) as tf.SymbolicTensor;
  const logits = new Conv3D({ filters: 3, kernelSize: 1 }).apply(block(merged, 4)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

describe('a small U-Net', () => {
  it('fuses each BatchNormalization whose only consumer is a plain ReLU, in a functional graph', () => {
    const input = tf.input({ shape: [4, 4, 4, 2] });
    const [fused, skipped] = [new BatchNormalization({}), new BatchNormalization({})];
    const a = new ReLU({}).apply(fused.apply(input)) as tf.SymbolicTensor;
    const b = skipped.apply(a) as tf.SymbolicTensor;
    const merged = tf.layers.concatenate().apply([new ReLU({}).apply(b) as tf.SymbolicTensor, b]);
    fuseBatchNormRelu(tf.model({ inputs: input, outputs: merged as tf.SymbolicTensor }));
    expect([fused.reluFollows, skipped.reluFollows]).toEqual([true, false]);
  });

  it(
    'Dice + cross-entropy loss and every weight gradient of a training call, the same bits run after run',
    forEachBuild(async () => {
      const template = miniUnet();
      const weights = template.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync().slice() }));
      template.dispose();
      const x = randomArray([2, 6, 6, 6, 1], 1200);
      const labels = Array.from(randomArray([2 * 216], 1201), (v) => Math.floor((v + 1) * 1.5));
      const models: tf.LayersModel[] = [];
      const compute = () => {
        const model = miniUnet();
        models.push(model);
        fuseBatchNormRelu(model);
        model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
        const target = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).reshape([2, 6, 6, 6, 3]);
        const input = tf.tensor5d(x, [2, 6, 6, 6, 1]);
        const loss = () => {
          const logp = tf.logSoftmax(model.apply(input, { training: true }) as tf.Tensor, -1);
          const ce = tf.neg(tf.mean(tf.sum(tf.mul(target, logp), -1)));
          const p = tf.exp(logp);
          const inter = tf.sum(tf.mul(p, target), [1, 2, 3]);
          const denominator = tf.add(tf.sum(p, [1, 2, 3]), tf.sum(target, [1, 2, 3]));
          return tf.add(
            tf.mean(tf.sub(1, tf.div(tf.add(tf.mul(inter, 2), 1e-5), tf.add(denominator, 1e-5)))),
            ce,
          );
        };
        const { value, grads } = tf.variableGrads(loss as () => tf.Scalar);
        return [value, ...model.trainableWeights.map((w) => grads[w.originalName] as tf.Tensor)];
      };
      const expected = await runOn('cpu', compute);
      const actual = await runOn(FAST_CPU_BACKEND, compute);
      // Deterministic: a second run on the same build and thread count gives the same bits.
      const again = await runOn(FAST_CPU_BACKEND, compute);
      for (const m of models) m.dispose();
      expect(again.map((t) => Array.from(t.values))).toEqual(actual.map((t) => Array.from(t.values)));
      // The loss, 6 conv kernels (no bias), 6 BatchNormalization gamma and beta, the transposed conv's and the head's kernel and bias.
      expect(actual.length).toBe(1 + 6 + 2 * 6 + 2 + 2);
      expectClose(actual, expected, [
        'loss',
        ...(models[0]?.trainableWeights.map((w) => w.originalName) ?? []),
      ]);
    }),
  );
});
