// Conv3DTranspose (tfjs's layer on stock cpu) with the gradient fast-cpu registers against PyTorch 1.13's
// conv_transpose3d: output, input gradient and kernel gradient of sum(out · R), for a U-Net's 2³ stride-2 up-step
// and a 3³ stride-1 one. tfjs's kernel is [kd, kh, kw, out, in]; torch's weight [in, out, kd, kh, kw].
import { spawnSync } from 'node:child_process';
import { mulberry32 } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/fast-cpu/conv3d-transpose-gradient.js';

const TORCH = `
import json, sys, torch
a = json.load(sys.stdin)
torch.set_default_dtype(torch.float64)
x = torch.tensor(a['x']).reshape(a['xShape']).permute(0, 4, 1, 2, 3).requires_grad_(True)
w = torch.tensor(a['w']).reshape(a['wShape']).permute(4, 3, 0, 1, 2).requires_grad_(True)
y = torch.nn.functional.conv_transpose3d(x, w, stride=a['stride'])
r = torch.tensor(a['r']).reshape([y.shape[i] for i in (0, 2, 3, 4, 1)]).permute(0, 4, 1, 2, 3)
(y * r).sum().backward()
json.dump({'y': y.permute(0, 2, 3, 4, 1).reshape(-1).tolist(), 'dx': x.grad.permute(0, 2, 3, 4, 1).reshape(-1).tolist(),
           'dw': w.grad.permute(2, 3, 4, 1, 0).reshape(-1).tolist()}, sys.stdout)
`;

function maxRelative(got: ArrayLike<number>, want: number[]): number {
  const scale = Math.max(...want.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
  return worst / scale;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Conv3DTranspose gradient against PyTorch', () => {
  it.each([
    [2, 2, [2, 3, 4, 2, 3], 5],
    [3, 1, [1, 4, 3, 5, 2], 3],
  ])('kernel %d, stride %d, input %j → %d filters', (k, stride, xShape, filters) => {
    const rand = mulberry32(k * 10 + stride);
    const inC = xShape[4] as number;
    const wShape = [k, k, k, filters, inC];
    const x = Float32Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, () => rand() - 0.5);
    const w = Float32Array.from({ length: wShape.reduce((a, b) => a * b, 1) }, () => rand() - 0.5);
    const layer = tf.layers.conv3dTranspose({ filters, kernelSize: k, strides: stride, useBias: false });
    const xt = tf.tensor(x, xShape);
    layer.build(xShape);
    layer.setWeights([tf.tensor(w, wShape)]);
    const y = layer.apply(xt) as tf.Tensor;
    const r = Float32Array.from({ length: y.size }, () => rand() - 0.5);
    const rt = tf.tensor(r, y.shape);
    const kernel = layer.trainableWeights[0]?.read() as tf.Variable;
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.apply(xt) as tf.Tensor, rt)) as tf.Scalar,
      [kernel],
    );
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, rt)))(xt);
    const input = JSON.stringify({ x: [...x], xShape, w: [...w], wShape, r: [...r], stride });
    const run = spawnSync('/usr/bin/python3', ['-c', TORCH], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(run.stderr);
    const want = JSON.parse(run.stdout) as { y: number[]; dx: number[]; dw: number[] };
    expect(maxRelative(y.dataSync(), want.y)).toBeLessThan(1e-5);
    expect(maxRelative(dx.dataSync(), want.dx)).toBeLessThan(1e-5);
    expect(maxRelative((grads[kernel.name] as tf.Tensor).dataSync(), want.dw)).toBeLessThan(1e-5);
  });
});
