// The fused kernels against the unfused stock composition on tfjs's `cpu` backend, for every
// instruction-set build this CPU runs, on one and two threads: Conv3D + bias + ReLU forward with
// its x / filter / bias gradients (ReLU's mask and the bias sum inside the gradient GEMMs), the
// Conv3D layer that uses it, and MaxPool3D's kept argmax. Tolerance as for every kernel:
// max |fast - cpu| <= 1e-5 * max |cpu| per tensor.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerFastCpuBackend } from '../src/fast-cpu/backend.js';
import { BatchNormalization, fuseBatchNormRelu } from '../src/fast-cpu/batch-norm-layer.js';
import { Conv3D } from '../src/fast-cpu/conv3d-layer.js';
import { fusedConv3d, fusedConv3dAvailable } from '../src/fast-cpu/fused-conv3d.js';
import { fastRelu } from '../src/fast-cpu/fused-relu.js';
import { GlobalAveragePooling3D } from '../src/fast-cpu/global-average-pool-layer.js';
import { FAST_CPU_BACKEND } from '../src/fast-cpu/index.js';
import { Activation, ReLU } from '../src/fast-cpu/relu-layer.js';
import { expectClose, randomArray, runOn, useNativeBuilds } from './fast-cpu-helpers.js';

type Shape5 = [number, number, number, number, number];
type Triple = [number, number, number];

const { native, forEachBuild } = useNativeBuilds();

interface FusedCase {
  x: Shape5;
  f: Shape5;
  strides: Triple;
  pad: 'valid' | 'same';
  relu: boolean;
  bias: boolean;
}

const CASES: FusedCase[] = [
  { x: [4, 8, 8, 8, 3], f: [3, 3, 3, 3, 32], strides: [1, 1, 1], pad: 'valid', relu: true, bias: true },
  { x: [3, 7, 7, 7, 32], f: [3, 3, 3, 32, 64], strides: [1, 1, 1], pad: 'valid', relu: true, bias: true },
  { x: [2, 8, 8, 8, 24], f: [3, 3, 3, 24, 24], strides: [1, 1, 1], pad: 'same', relu: true, bias: true },
  { x: [2, 6, 5, 4, 3], f: [2, 3, 1, 3, 5], strides: [1, 2, 1], pad: 'same', relu: false, bias: true },
  { x: [3, 7, 7, 7, 2], f: [3, 3, 3, 2, 33], strides: [2, 2, 2], pad: 'same', relu: true, bias: false },
  { x: [1, 5, 6, 7, 1], f: [3, 3, 3, 1, 4], strides: [1, 1, 1], pad: 'valid', relu: false, bias: false },
  // ReLU's mask applied while dy is copied into the padded source of the input gradient's forward conv.
  { x: [2, 5, 6, 5, 16], f: [2, 3, 3, 16, 24], strides: [1, 1, 1], pad: 'same', relu: true, bias: false },
  { x: [2, 3, 3, 3, 32], f: [1, 1, 1, 32, 8], strides: [1, 1, 1], pad: 'valid', relu: true, bias: true },
  // 48 output channels take AVX-512's 48-wide forward tiles (bias and ReLU in their store), and 48
  // input channels its input gradient (a forward conv to 48 channels), as a U-Net decoder's 48 -> 16.
  { x: [2, 5, 6, 4, 16], f: [3, 3, 3, 16, 48], strides: [1, 1, 1], pad: 'same', relu: true, bias: true },
  { x: [2, 6, 5, 4, 48], f: [3, 3, 3, 48, 16], strides: [1, 1, 1], pad: 'same', relu: true, bias: false },
  // The U-Net's other decoder conv (96 -> 32) and its first layer (1 -> 16), linear and without bias as
  // they are before BatchNormalization.
  { x: [2, 4, 5, 4, 96], f: [3, 3, 3, 96, 32], strides: [1, 1, 1], pad: 'same', relu: false, bias: false },
  { x: [2, 6, 5, 4, 1], f: [3, 3, 3, 1, 16], strides: [1, 1, 1], pad: 'same', relu: false, bias: false },
];

describe('fused Conv3D + bias + ReLU equals conv3d → add → relu on stock cpu', () => {
  for (const [i, c] of CASES.entries()) {
    it(
      `x ${c.x} filter ${c.f} strides ${c.strides} ${c.pad}${c.relu ? ' relu' : ''}${c.bias ? ' bias' : ''}`,
      forEachBuild(async () => {
        const x = randomArray(c.x, 300 + i);
        const f = randomArray(c.f, 310 + i);
        const b = randomArray([c.f[4]], 320 + i);
        const outShape = tf.backend_util.computeConv3DInfo(c.x, c.f, c.strides, 1, c.pad).outShape;
        const probe = randomArray(outShape, 330 + i);
        const unfused = (xt: tf.Tensor, ft: tf.Tensor, bt: tf.Tensor): tf.Tensor => {
          let y: tf.Tensor = tf.conv3d(xt as tf.Tensor5D, ft as tf.Tensor5D, c.strides, c.pad);
          if (c.bias) y = tf.add(y, bt);
          return c.relu ? tf.relu(y) : y;
        };
        const fused = (xt: tf.Tensor, ft: tf.Tensor, bt: tf.Tensor): tf.Tensor =>
          fusedConv3d(xt as tf.Tensor5D, ft as tf.Tensor5D, c.bias ? (bt as tf.Tensor1D) : null, {
            strides: c.strides,
            pad: c.pad,
            dilations: [1, 1, 1],
            relu: c.relu,
          });
        const compute = (op: typeof unfused) => () => {
          const xt = tf.tensor5d(x, c.x);
          const ft = tf.tensor5d(f, c.f);
          const bt = tf.tensor1d(b);
          const pt = tf.tensor(probe, outShape);
          const loss = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => op(p, q, r).mul(pt).sum();
          const grads = c.bias
            ? tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => loss(p, q, r))([xt, ft, bt])
            : tf.grads((p: tf.Tensor, q: tf.Tensor) => loss(p, q, bt))([xt, ft]);
          return [op(xt, ft, bt), ...grads];
        };
        const expected = await runOn('cpu', compute(unfused));
        const actual = await runOn(FAST_CPU_BACKEND, compute(fused));
        expectClose(actual, expected, ['y', 'dx', 'dfilter', 'dbias']);
      }),
    );
  }
});

describe('the Conv3D layer', () => {
  it('fuses only on the fast backend with the addon, and trains the same as tfjs`s layer on cpu', async () => {
    const x = randomArray([3, 9, 9, 9, 3], 340).map((v) => (v + 1) / 2);
    const labels = [
      [0, 1],
      [1, 0],
      [0, 1],
    ];
    const build = (layer: (args: Parameters<typeof tf.layers.conv3d>[0]) => tf.layers.Layer) => {
      const model = tf.sequential({
        layers: [
          layer({
            inputShape: [9, 9, 9, 3],
            filters: 8,
            kernelSize: 3,
            padding: 'same',
            activation: 'relu',
            kernelInitializer: tf.initializers.heUniform({ seed: 1 }),
          }),
          layer({
            filters: 4,
            kernelSize: 3,
            strides: 2,
            activation: 'relu',
            kernelInitializer: tf.initializers.heUniform({ seed: 2 }),
            biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 3 }),
          }),
          layer({
            filters: 2,
            kernelSize: 2,
            activation: 'linear',
            kernelInitializer: tf.initializers.heUniform({ seed: 4 }),
          }),
          tf.layers.flatten(),
          tf.layers.dense({
            units: 2,
            activation: 'softmax',
            kernelInitializer: tf.initializers.heUniform({ seed: 5 }),
          }),
        ],
      });
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      return model;
    };
    const train = async (backend: string, layer: Parameters<typeof build>[0]) => {
      await tf.setBackend(backend);
      const model = build(layer);
      const xt = tf.tensor5d(x, [3, 9, 9, 9, 3]);
      const yt = tf.tensor2d(labels);
      await model.trainOnBatch(xt, yt);
      const out = [
        { shape: [3, 2], values: Float32Array.from((model.predict(xt) as tf.Tensor).dataSync()) },
        ...model.getWeights().map((w) => ({ shape: w.shape, values: Float32Array.from(w.dataSync()) })),
      ];
      tf.dispose([xt, yt]);
      model.dispose();
      return out;
    };
    await tf.setBackend('cpu');
    expect(fusedConv3dAvailable()).toBe(false);
    await tf.setBackend(FAST_CPU_BACKEND);
    expect(fusedConv3dAvailable()).toBe(true);
    const expected = await train('cpu', tf.layers.conv3d);
    const actual = await train(FAST_CPU_BACKEND, (args) => new Conv3D(args));
    expectClose(
      actual,
      expected,
      actual.map((_, i) => (i === 0 ? 'predictions' : `weight ${i - 1}`)),
    );
  });

  it('is what a saved model.json naming Conv3D deserialises to', () => {
    const registry = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, unknown[]>;
    expect(registry.Conv3D?.[0]).toBe(Conv3D);
  });
});

describe('MaxPool3D keeps its argmax for the gradient', () => {
  it(
    'the gradient from the kept argmax and the one searched again agree with stock cpu, ties included',
    forEachBuild(async () => {
      const shape: Shape5 = [3, 8, 8, 8, 16];
      const x = randomArray(shape, 350).map((v) => Math.max(0, Math.round(v * 2)));
      const outShape = [3, 4, 4, 4, 16];
      const dy = randomArray(outShape, 351);
      const compute = () => {
        const xt = tf.tensor5d(x, shape);
        const dyt = tf.tensor(dy, outShape);
        const kept = tf.grad((t: tf.Tensor) =>
          tf
            .maxPool3d(t as tf.Tensor5D, 2, 2, 'valid')
            .mul(dyt)
            .sum(),
        )(xt);
        // Outside a tape the forward keeps no argmax: MaxPool3DGrad searches the windows again.
        const y = tf.maxPool3d(xt, 2, 2, 'valid');
        const searched = tf
          .engine()
          .runKernel(
            'MaxPool3DGrad',
            { dy: dyt, input: xt, output: y },
            { filterSize: 2, strides: 2, pad: 'valid' },
          ) as tf.Tensor;
        return [kept, searched];
      };
      expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), ['kept', 'searched']);
    }),
  );

  it('refuses an argmax that points outside its sample', () => {
    const dy = new Float32Array(4);
    const dx = new Float32Array(16);
    expect(() => native().maxPool3dGradArgmax(dy, Int32Array.of(0, 1, 9, 3), dx, 2)).toThrow(
      'argmax index outside its sample',
    );
  });
});

describe("ReLU's mask inside the conv gradients keeps tfjs's NaN rule: dy * step(x)", () => {
  // 1x1x1 convs over 2x1x1 voxels of 20 channels (a vector and a tail on every build). Channel c
  // of voxel 0 carries the special cases; voxel 1 is plain. step(x) is NaN for a NaN x, so NaN
  // passes; a blocked Infinity becomes Inf * 0 = NaN; a blocked finite dy becomes 0.
  const C = 20;
  const geometry = Int32Array.from([1, 1, 1, 2, C, 1, 1, 2, C, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  const y = new Float32Array(2 * C).fill(1);
  const dy = new Float32Array(2 * C).map((_, i) => (i % 7) - 3);
  y.set([Number.NaN, 0, -0, -2, 3], 0);
  dy.set([1, Number.POSITIVE_INFINITY, 2, Number.NEGATIVE_INFINITY, 4], 0);
  const masked = (i: number): number => {
    const m = y[i] ?? 0;
    const d = dy[i] ?? 0;
    if (m > 0) return d;
    return Number.isNaN(m) ? m : d * 0;
  };
  it(
    'in the bias gradient (the masked dy panel of the filter gradient)',
    forEachBuild(async () => {
      const x = new Float32Array(2 * C).fill(1);
      const db = new Float32Array(C);
      native().conv3dBackpropFilter(x, dy, y, new Float32Array(0), db, geometry);
      for (let c = 0; c < C; c++) expect(db[c], `db[${c}]`).toBe(Math.fround(masked(c) + masked(C + c)));
    }),
  );
  it(
    'in the input gradient (the masked, padded dy of its forward conv)',
    forEachBuild(async () => {
      const identity = new Float32Array(C * C).map((_, i) => (i % (C + 1) === 0 ? 1 : 0));
      const dx = new Float32Array(2 * C);
      native().conv3dBackpropInput(dy, identity, y, dx, geometry);
      // Voxel 0 holds NaNs (0 * NaN reaches every channel of its row); voxel 1 is dy exactly.
      expect(Array.from(dx.subarray(0, C)).every(Number.isNaN)).toBe(true);
      for (let c = 0; c < C; c++) expect(dx[C + c], `dx[${C + c}]`).toBe(masked(C + c));
    }),
  );
});

describe('BatchNormalization in training, fused, equals the stock layer on cpu', () => {
  for (const [i, shape] of [
    [4, 6, 6, 6, 24],
    [3, 5, 4, 6, 7],
    [50, 33],
  ].entries()) {
    it(
      `x [${shape}]: output, dx, dgamma, dbeta and the moving statistics`,
      forEachBuild(async () => {
        // An offset and scale like real activations, so the variance is not the trivial one.
        const x = randomArray(shape, 360 + i).map((v, j) => 3 * v + (j % 5) - 1);
        const probe = randomArray(shape, 370 + i);
        const channels = shape.at(-1) ?? 1;
        const compute = () => {
          const layer = new BatchNormalization({
            momentum: 0.9,
            epsilon: 1e-3,
            gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 380 + i }),
            betaInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 390 + i }),
            movingMeanInitializer: tf.initializers.randomUniform({
              minval: -0.1,
              maxval: 0.1,
              seed: 400 + i,
            }),
          });
          const xt = tf.tensor(x, shape);
          const pt = tf.tensor(probe, shape);
          layer.apply(xt);
          const loss = (a: tf.Tensor) =>
            (layer.apply(a, { training: true }) as tf.Tensor).mul(pt).sum() as tf.Scalar;
          const y = layer.apply(xt, { training: true }) as tf.Tensor;
          const dx = tf.grad(loss)(xt);
          const { grads } = tf.variableGrads(() => loss(xt));
          const [gamma, beta] = layer.trainableWeights.map((w) => grads[w.originalName] as tf.Tensor);
          const stats = layer.getWeights().slice(2);
          return [y, dx, gamma as tf.Tensor, beta as tf.Tensor, ...stats];
        };
        const expected = await runOn('cpu', compute);
        const actual = await runOn(FAST_CPU_BACKEND, compute);
        expect(expected[2]?.shape).toEqual([channels]);
        expectClose(actual, expected, ['y', 'dx', 'dgamma', 'dbeta', 'moving mean', 'moving variance']);
      }),
    );
  }
});

describe('BatchNormalization + ReLU in training, fused, equals the stock pair on cpu', () => {
  for (const [i, shape] of [
    [4, 6, 6, 6, 24],
    [3, 5, 4, 6, 7],
    [6, 8, 8, 8, 24],
    // Large enough (2^17 values) that two threads cut the normalising passes in two.
    [2, 16, 16, 16, 16],
  ].entries()) {
    it(
      `x [${shape}]: output, dx, dgamma, dbeta and the moving statistics`,
      forEachBuild(async () => {
        // Centred near zero so that about half the outputs are cut by the ReLU; a few exact zeros.
        const x = randomArray(shape, 460 + i).map((v, j) => (j % 97 === 0 ? 0 : 2 * v + (j % 3) - 1));
        const probe = randomArray(shape, 470 + i);
        const compute = () => {
          const bn = new BatchNormalization({
            momentum: 0.9,
            epsilon: 1e-3,
            gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 480 + i }),
            betaInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 490 + i }),
          });
          bn.reluFollows = true;
          const relu = new ReLU();
          const xt = tf.tensor(x, shape);
          const pt = tf.tensor(probe, shape);
          const block = (a: tf.Tensor) => relu.apply(bn.apply(a, { training: true })) as tf.Tensor;
          const loss = (a: tf.Tensor) => block(a).mul(pt).sum() as tf.Scalar;
          const y = block(xt);
          const dx = tf.grad(loss)(xt);
          const { grads } = tf.variableGrads(() => loss(xt));
          const [gamma, beta] = bn.trainableWeights.map((w) => grads[w.originalName] as tf.Tensor);
          return [y, dx, gamma as tf.Tensor, beta as tf.Tensor, ...bn.getWeights().slice(2)];
        };
        const expected = await runOn('cpu', compute);
        const actual = await runOn(FAST_CPU_BACKEND, compute);
        expectClose(actual, expected, ['y', 'dx', 'dgamma', 'dbeta', 'moving mean', 'moving variance']);
      }),
    );
  }

  it('runs as one kernel each way (no Relu, no ReLU gradient), and only where a plain ReLU follows', async () => {
    await tf.setBackend(FAST_CPU_BACKEND);
    const model = tf.sequential({
      layers: [
        new BatchNormalization({ inputShape: [4, 4, 4, 3] }),
        new ReLU(),
        new BatchNormalization({}),
        new ReLU({ maxValue: 6 }),
        new BatchNormalization({}),
      ],
    });
    fuseBatchNormRelu(model);
    expect(model.layers.map((l) => (l as BatchNormalization).reluFollows)).toEqual([
      true,
      undefined,
      false,
      undefined,
      false,
    ]);
    const single = tf.sequential({
      layers: [new BatchNormalization({ inputShape: [4, 4, 4, 3] }), new ReLU()],
    });
    fuseBatchNormRelu(single);
    const x = tf.tensor5d(randomArray([2, 4, 4, 4, 3], 500), [2, 4, 4, 4, 3]);
    const profile = await tf.profile(() => {
      const { grads } = tf.variableGrads(
        () => (single.apply(x, { training: true }) as tf.Tensor).square().sum() as tf.Scalar,
      );
      tf.dispose(Object.values(grads));
    });
    const names = new Set(profile.kernels.map((k) => k.name));
    expect(names.has('Conv3dCpuBatchNormTraining')).toBe(true);
    expect(names.has('Conv3dCpuBatchNormTrainingGrad')).toBe(true);
    for (const k of ['Conv3dCpuRelu', 'Conv3dCpuReluGrad', 'Relu', 'Step'])
      expect(names.has(k), k).toBe(false);
    // Inference is the unfused layer pair: the ReLU runs.
    const inference = await tf.profile(() => tf.dispose(single.predict(x) as tf.Tensor));
    expect(inference.kernels.some((k) => k.name === 'Conv3dCpuRelu' || k.name === 'Relu')).toBe(true);
    tf.dispose(x);
    model.dispose();
    single.dispose();
  });
});

describe('GlobalAveragePooling3D, one pass each way, equals tf.mean over D, H, W on cpu', () => {
  for (const [i, shape] of [
    [20, 4, 4, 4, 24],
    [3, 5, 2, 7, 5],
    [1, 1, 1, 1, 1],
  ].entries()) {
    it(`x [${shape}]: output and dx`, async () => {
      const x = randomArray(shape, 520 + i).map((v, j) => 3 * v + (j % 7));
      const probe = randomArray([shape[0] ?? 1, shape[4] ?? 1], 530 + i);
      const compute = () => {
        const layer = new GlobalAveragePooling3D();
        const xt = tf.tensor(x, shape);
        const pt = tf.tensor(probe, [shape[0] ?? 1, shape[4] ?? 1]);
        const f = (a: tf.Tensor) => layer.apply(a) as tf.Tensor;
        return [f(xt), tf.grad((a: tf.Tensor) => f(a).mul(pt).sum())(xt)];
      };
      const expected = await runOn('cpu', compute);
      const actual = await runOn(FAST_CPU_BACKEND, compute);
      expectClose(actual, expected, ['y', 'dx']);
    });
  }

  it('runs as one kernel each way on the fast backend, tfjs`s Mean on stock cpu', async () => {
    const layer = new GlobalAveragePooling3D();
    const x = () => tf.tensor5d(randomArray([2, 3, 3, 3, 4], 540), [2, 3, 3, 3, 4]);
    const kernelsOn = async (backend: string) => {
      await tf.setBackend(backend);
      const xt = x();
      const profile = await tf.profile(() =>
        tf.dispose(tf.grad((a: tf.Tensor) => (layer.apply(a) as tf.Tensor).sum())(xt)),
      );
      xt.dispose();
      return new Set(profile.kernels.map((k) => k.name));
    };
    const fast = await kernelsOn(FAST_CPU_BACKEND);
    expect(fast.has('Conv3dCpuGlobalAvgPool3D') && fast.has('Conv3dCpuGlobalAvgPool3DGrad')).toBe(true);
    expect(fast.has('Mean')).toBe(false);
    expect((await kernelsOn('cpu')).has('Mean')).toBe(true);
  });
});

it('the fast backend runs the fused kernels, not the stock chain, for Conv3D, BatchNormalization and ReLU', async () => {
  await tf.setBackend(FAST_CPU_BACKEND);
  const conv = new Conv3D({
    inputShape: [6, 6, 6, 2],
    filters: 4,
    kernelSize: 3,
    padding: 'same',
    useBias: false,
  });
  const bn = new BatchNormalization({});
  const relu = new ReLU();
  const x = tf.tensor5d(randomArray([2, 6, 6, 6, 2], 410), [2, 6, 6, 6, 2]);
  conv.apply(x);
  const profile = await tf.profile(() => {
    const { grads } = tf.variableGrads(
      () => (relu.apply(bn.apply(conv.apply(x), { training: true })) as tf.Tensor).sum() as tf.Scalar,
    );
    tf.dispose(Object.values(grads));
  });
  const names = new Set(profile.kernels.map((k) => k.name));
  const fusedNames = [
    'Conv3dCpuFusedConv3D',
    'Conv3dCpuFusedConv3DFilterGrad',
    'Conv3dCpuBatchNormTraining',
    'Conv3dCpuReluGrad',
  ];
  for (const k of fusedNames) {
    expect(names.has(k), k).toBe(true);
  }
  for (const k of ['Conv3D', 'Mean', 'FusedBatchNorm', 'Conv3DBackpropFilterV2'])
    expect(names.has(k), k).toBe(false);
  tf.dispose(x);
});

it(
  'ReLU with the one-pass gradient equals tf.relu and its Step x Multiply gradient on cpu',
  forEachBuild(async () => {
    const x = randomArray([300001], 420);
    x.set([0, -0, 1e-30, -1e-30], 0);
    const probe = randomArray([300001], 421);
    const compute = (op: (t: tf.Tensor) => tf.Tensor) => () => {
      const xt = tf.tensor1d(x);
      const pt = tf.tensor1d(probe);
      const layerOut = (new ReLU().apply(xt) as tf.Tensor).mul(2);
      const activationOut = (new Activation({ activation: 'relu' }).apply(xt) as tf.Tensor).mul(3);
      return [op(xt), tf.grad((t: tf.Tensor) => op(t).mul(pt).sum())(xt), layerOut, activationOut];
    };
    const fast = await runOn(FAST_CPU_BACKEND, compute(fastRelu));
    const stock = await runOn('cpu', compute(tf.relu));
    expectClose(fast, stock, ['relu', 'drelu', 'ReLU layer', 'Activation relu layer']);
    expect(Array.from(fast[1]?.values.subarray(0, 4) ?? [])).toEqual(
      Array.from(stock[1]?.values.subarray(0, 4) ?? []),
    );
  }),
);

it('without the addon the fused layers and Adam are tfjs`s own: the stock kernels run', async () => {
  const name = 'conv3d-cpu-fused-without-addon';
  registerFastCpuBackend(name, { ok: false, reason: 'simulated missing build' });
  await tf.setBackend(name);
  expect(fusedConv3dAvailable()).toBe(false);
  const conv = new Conv3D({ inputShape: [4, 4, 4, 1], filters: 2, kernelSize: 3, activation: 'relu' });
  const x = tf.ones([1, 4, 4, 4, 1]);
  const profile = await tf.profile(() => conv.apply(x) as tf.Tensor);
  const names = profile.kernels.map((k) => k.name);
  expect(names).toContain('Conv3D');
  expect(names).not.toContain('Conv3dCpuFusedConv3D');
  tf.dispose(x);
  await tf.setBackend(FAST_CPU_BACKEND);
  tf.removeBackend(name);
});
