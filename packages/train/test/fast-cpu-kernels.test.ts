// Every kernel the fast CPU backend replaces, forward and gradient, against tfjs's stock `cpu`
// backend: for each instruction-set build this CPU can run, on one and on two threads.
// Tolerance: max |fast - cpu| <= 1e-5 * max |cpu| over each output tensor (the sums are the same,
// only their order and FMA rounding differ).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerFastCpuBackend } from '../src/fast-cpu/backend.js';
import { FAST_CPU_BACKEND } from '../src/fast-cpu/index.js';
import { expectClose, randomArray, runOn, useNativeBuilds } from './fast-cpu-helpers.js';

type Shape5 = [number, number, number, number, number];
type Triple = [number, number, number];

const { forEachBuild } = useNativeBuilds();

interface ConvCase {
  x: Shape5;
  f: Shape5;
  strides: number | Triple;
  pad: 'valid' | 'same';
  dilations?: number | Triple;
}

const CONV_CASES: ConvCase[] = [
  { x: [1, 5, 6, 7, 1], f: [3, 3, 3, 1, 4], strides: 1, pad: 'valid' },
  { x: [2, 6, 5, 4, 3], f: [2, 3, 1, 3, 5], strides: [1, 2, 1], pad: 'same' },
  { x: [3, 7, 7, 7, 2], f: [3, 3, 3, 2, 33], strides: 2, pad: 'same' },
  { x: [4, 6, 6, 6, 3], f: [3, 3, 3, 3, 32], strides: 1, pad: 'valid' },
  { x: [2, 9, 8, 9, 5], f: [4, 4, 4, 5, 7], strides: 3, pad: 'same' },
  { x: [2, 5, 5, 5, 16], f: [3, 3, 3, 16, 64], strides: 1, pad: 'valid' },
  { x: [1, 4, 4, 4, 3], f: [1, 1, 1, 3, 2], strides: 1, pad: 'same' },
  // Stride 1 'same' with enough input channels: the input gradient runs as a forward conv of dy
  // (flipped, transposed filter), odd and even filters (uneven padding), and a 1x1x1 filter (no padding).
  { x: [2, 6, 5, 7, 24], f: [3, 3, 3, 24, 24], strides: 1, pad: 'same' },
  { x: [2, 5, 6, 4, 20], f: [2, 3, 4, 20, 9], strides: 1, pad: 'same' },
  { x: [3, 4, 3, 5, 17], f: [1, 1, 1, 17, 40], strides: 1, pad: 'valid' },
  // Narrow outputs with an even channel count take the paired-tap tiles: F 24 (AVX-512), 9 (AVX2),
  // 6 and the input gradient's 4 (generic); the cases above cover them too where a build's lanes fit.
  { x: [2, 5, 5, 5, 4], f: [3, 3, 3, 4, 6], strides: 1, pad: 'same' },
];

function convProbe(c: ConvCase): number[] {
  return tf.backend_util.computeConv3DInfo(c.x, c.f, c.strides, c.dilations ?? 1, c.pad).outShape;
}

describe('Conv3D and its gradients', () => {
  for (const [i, c] of CONV_CASES.entries()) {
    it(
      `x ${c.x} filter ${c.f} strides ${c.strides} ${c.pad}`,
      forEachBuild(async () => {
        const x = randomArray(c.x, 10 + i);
        const f = randomArray(c.f, 20 + i);
        const probeShape = convProbe(c);
        const probe = randomArray(probeShape, 30 + i);
        const compute = () => {
          const xt = tf.tensor5d(x, c.x);
          const ft = tf.tensor5d(f, c.f);
          const pt = tf.tensor(probe, probeShape);
          const y = tf.conv3d(xt, ft, c.strides, c.pad);
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf
              .conv3d(a as tf.Tensor5D, b as tf.Tensor5D, c.strides, c.pad)
              .mul(pt)
              .sum(),
          )([xt, ft]);
          return [y, dx as tf.Tensor, df as tf.Tensor];
        };
        const expected = await runOn('cpu', compute);
        const actual = await runOn(FAST_CPU_BACKEND, compute);
        expectClose(actual, expected, ['y', 'dx', 'dfilter']);
      }),
    );
  }

  it(
    'dilated forward (tfjs has no dilated Conv3D gradient)',
    forEachBuild(async () => {
      const x = randomArray([2, 9, 8, 7, 3], 40);
      const f = randomArray([3, 2, 3, 3, 6], 41);
      const compute = () => [
        tf.conv3d(
          tf.tensor5d(x, [2, 9, 8, 7, 3]),
          tf.tensor5d(f, [3, 2, 3, 3, 6]),
          1,
          'valid',
          'NDHWC',
          [2, 3, 1],
        ),
        tf.conv3d(tf.tensor5d(x, [2, 9, 8, 7, 3]), tf.tensor5d(f, [3, 2, 3, 3, 6]), 1, 'same', 'NDHWC', 2),
      ];
      expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), ['valid', 'same']);
    }),
  );
});

interface PoolCase {
  x: Shape5;
  size: number | Triple;
  strides: number | Triple;
  pad: 'valid' | 'same';
}

const POOL_CASES: PoolCase[] = [
  { x: [2, 6, 6, 6, 3], size: 2, strides: 2, pad: 'valid' },
  { x: [1, 7, 5, 6, 4], size: 3, strides: 2, pad: 'same' },
  { x: [3, 4, 5, 6, 1], size: [1, 2, 2], strides: 1, pad: 'valid' },
  { x: [2, 14, 14, 14, 32], size: 2, strides: 2, pad: 'valid' },
  { x: [1, 5, 5, 5, 2], size: [3, 2, 2], strides: [1, 2, 1], pad: 'same' },
];

describe('MaxPool3D and its gradient', () => {
  for (const [i, c] of POOL_CASES.entries()) {
    for (const ties of [false, true]) {
      it(
        `x ${c.x} size ${c.size} strides ${c.strides} ${c.pad}${ties ? ' with ties' : ''}`,
        forEachBuild(async () => {
          // With ties (values from {0, 1, 2}, as after a relu) the gradient must pick the same
          // window element as tfjs's cpu kernel does: the last maximum in scan order.
          const raw = randomArray(c.x, 50 + i);
          const x = ties ? raw.map((v) => Math.max(0, Math.round(v * 2))) : raw;
          const outShape = tf.backend_util.computePool3DInfo(c.x, c.size, c.strides, 1, c.pad).outShape;
          const probe = randomArray(outShape, 60 + i);
          const compute = () => {
            const xt = tf.tensor5d(x, c.x);
            const pool = (a: tf.Tensor) => tf.maxPool3d(a as tf.Tensor5D, c.size, c.strides, c.pad);
            const dx = tf.grad((a: tf.Tensor) => pool(a).mul(tf.tensor(probe, outShape)).sum())(xt);
            return [pool(xt), dx];
          };
          expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), ['y', 'dx']);
        }),
      );
    }
  }
});

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const MATMUL_CASES: MatMulCase[] = [
  { a: [7, 5], b: [5, 9], transposeA: false, transposeB: false },
  { a: [5, 7], b: [5, 33], transposeA: true, transposeB: false },
  { a: [7, 5], b: [40, 5], transposeA: false, transposeB: true },
  { a: [5, 1], b: [3, 5], transposeA: true, transposeB: true },
  { a: [3, 4, 6], b: [3, 6, 2], transposeA: false, transposeB: false },
  { a: [3, 6, 4], b: [3, 6, 5], transposeA: true, transposeB: false },
  { a: [100, 512], b: [512, 256], transposeA: false, transposeB: false },
];

describe('MatMul, plain and fused with bias and relu', () => {
  for (const [i, c] of MATMUL_CASES.entries()) {
    it(
      `a ${c.a}${c.transposeA ? 'ᵀ' : ''} · b ${c.b}${c.transposeB ? 'ᵀ' : ''}`,
      forEachBuild(async () => {
        const a = randomArray(c.a, 70 + i);
        const b = randomArray(c.b, 80 + i);
        const n = c.transposeB ? (c.b.at(-2) ?? 0) : (c.b.at(-1) ?? 0);
        const bias = randomArray([n], 90 + i);
        const compute = () => {
          const at = tf.tensor(a, c.a);
          const bt = tf.tensor(b, c.b);
          const biasT = tf.tensor1d(bias);
          const plain = tf.matMul(at, bt, c.transposeA, c.transposeB);
          const fused = tf.fused.matMul({
            a: at,
            b: bt,
            transposeA: c.transposeA,
            transposeB: c.transposeB,
            bias: biasT,
            activation: 'relu',
          });
          const [da, db, dbias] = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
            tf.fused
              .matMul({
                a: x,
                b: y,
                transposeA: c.transposeA,
                transposeB: c.transposeB,
                bias: z,
                activation: 'relu',
              })
              .square()
              .sum(),
          )([at, bt, biasT]);
          return [plain, fused, da as tf.Tensor, db as tf.Tensor, dbias as tf.Tensor];
        };
        const names = ['plain', 'fused', 'da', 'db', 'dbias'];
        expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), names);
      }),
    );
  }
});

it(
  'batch broadcast from 1 (forward: tfjs 4.22 has no gradient for it)',
  forEachBuild(async () => {
    const a = randomArray([1, 6, 4], 95);
    const b = randomArray([3, 4, 5], 96);
    const compute = () => [tf.matMul(tf.tensor(a, [1, 6, 4]), tf.tensor(b, [3, 4, 5]))];
    expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), ['broadcast']);
  }),
);

describe('element-wise kernels and leading-axes sums', () => {
  const BINARY_CASES: [number[], number[]][] = [
    [
      [2, 3, 4, 5],
      [2, 3, 4, 5],
    ],
    [[2, 3, 4, 5], [5]],
    [
      [1, 1, 1, 1, 5],
      [3, 2, 4, 2, 5],
    ],
    [[], [700000]],
    [
      [3, 4],
      [1, 2, 3, 4],
    ],
    [
      [3, 1],
      [1, 3],
    ],
  ];
  for (const [i, [sa, sb]] of BINARY_CASES.entries()) {
    it(
      `Add, Sub, Multiply, RealDiv of [${sa}] and [${sb}]`,
      forEachBuild(async () => {
        const a = randomArray(sa, 110 + i);
        const b = randomArray(sb, 120 + i);
        const compute = () => {
          const [at, bt] = [tf.tensor(a, sa), tf.tensor(b, sb)];
          return [
            tf.add(at, bt),
            tf.sub(at, bt),
            tf.mul(at, bt),
            tf.sub(bt, at),
            tf.div(at, bt),
            tf.div(bt, at),
          ];
        };
        const names = ['add', 'sub', 'mul', 'sub reversed', 'div', 'div reversed'];
        expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), names);
      }),
    );
  }

  it(
    'Relu and Step (alpha 0 and 0.3) keep NaN and tfjs signed zeros',
    forEachBuild(async () => {
      const x = randomArray([600001], 130);
      x.set([Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], 0);
      const compute = () => {
        const t = tf.tensor1d(x);
        return [tf.relu(t), tf.step(t), tf.step(t, 0.3)];
      };
      const fast = await runOn(FAST_CPU_BACKEND, compute);
      const stock = await runOn('cpu', compute);
      for (const [i, f] of fast.entries()) {
        // NaN and ±0 compared exactly: Object.is distinguishes both.
        const s = stock[i]?.values ?? new Float32Array(0);
        expect(Array.from(f.values.subarray(0, 5)).every((v, j) => Object.is(v, s[j]))).toBe(true);
        f.values.fill(0, 0, 5);
        s.fill(0, 0, 5);
      }
      expectClose(fast, stock, ['relu', 'step', 'step 0.3']);
    }),
  );

  it(
    'Sum over leading axes (with and without keepDims), all axes, and other axes (stock)',
    forEachBuild(async () => {
      const x = randomArray([30, 7, 6, 5, 33], 140);
      const compute = () => {
        const t = tf.tensor(x, [30, 7, 6, 5, 33]);
        return [t.sum([0, 1, 2, 3]), t.sum([1, 0], true), t.sum(), t.sum(0), t.sum([1, 4]), t.sum(-1)];
      };
      const names = ['leading 4', 'leading 2 keepDims', 'all', 'axis 0', 'axes 1,4 (stock)', 'last (stock)'];
      expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), names);
    }),
  );
});

describe('configurations the native kernels do not claim fall back to the stock kernels', () => {
  it('max-pool gradient with window height != width, fused elu, rank-4 matmul, int32 conv', async () => {
    const x = randomArray([2, 5, 6, 6, 3], 100);
    const a = randomArray([2, 2, 3, 4], 101);
    const b = randomArray([2, 2, 4, 3], 102);
    const compute = () => {
      const xt = tf.tensor5d(x, [2, 5, 6, 6, 3]);
      const pool = (t: tf.Tensor) => tf.maxPool3d(t as tf.Tensor5D, [2, 2, 3], [1, 2, 1], 'valid');
      const dx = tf.grad((t: tf.Tensor) => pool(t).square().sum())(xt);
      const elu = tf.fused.matMul({ a: tf.tensor([1, -2, 3, -4], [2, 2]), b: tf.eye(2), activation: 'elu' });
      const rank4 = tf.matMul(tf.tensor(a, [2, 2, 3, 4]), tf.tensor(b, [2, 2, 4, 3]));
      const ints = tf.conv3d(
        tf.ones([1, 3, 3, 3, 1], 'int32') as tf.Tensor5D,
        tf.ones([2, 2, 2, 1, 1], 'int32') as tf.Tensor5D,
        1,
        'valid',
      );
      return [pool(xt), dx, elu, rank4, ints.toFloat()];
    };
    const names = ['pool', 'dx', 'elu', 'rank4', 'int32 conv'];
    expectClose(await runOn(FAST_CPU_BACKEND, compute), await runOn('cpu', compute), names);
  });
});

describe('without the native addon', () => {
  it('the backend is the stock cpu backend, kernel for kernel, and computes the same', async () => {
    const name = 'conv3d-cpu-without-addon';
    registerFastCpuBackend(name, { ok: false, reason: 'simulated missing build' });
    for (const k of ['Conv3D', 'MaxPool3DGrad', 'Add', '_FusedMatMul']) {
      expect(tf.getKernel(k, name)?.kernelFunc).toBe(tf.getKernel(k, 'cpu')?.kernelFunc);
    }
    const x = randomArray([1, 5, 5, 5, 2], 150);
    const f = randomArray([3, 3, 3, 2, 4], 151);
    const compute = () => [
      tf.conv3d(tf.tensor5d(x, [1, 5, 5, 5, 2]), tf.tensor5d(f, [3, 3, 3, 2, 4]), 1, 'same'),
    ];
    expectClose(await runOn(name, compute), await runOn('cpu', compute), ['conv']);
    tf.removeBackend(name);
  });
});
