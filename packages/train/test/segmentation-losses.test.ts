// The per-voxel losses against PyTorch 1.13 (float64, /usr/bin/python3): values and gradients with respect to the
// logits before the softmax, written independently there with a one-hot volume (torch's own nll_loss for the
// cross-entropy, MONAI's DiceLoss formula for Dice).
import { spawnSync } from 'node:child_process';
import { mulberry32 } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossName } from '../src/config.js';
import { disposeTargets, segmentationLoss, voxelTargets } from '../src/tasks/segmentation-losses.js';

const SHAPE = [2, 3, 4, 5] as const;
const K = 4;
const voxels = SHAPE.reduce((a, b) => a * b, 1);
const rand = mulberry32(21);
const logits = Float32Array.from({ length: voxels * K }, () => 3 * (rand() - 0.5));
// Class 3 never appears in sample 1 (an empty class, where Dice's smoothing matters).
const labels = Int32Array.from({ length: voxels }, (_, i) => Math.floor(rand() * (i < voxels / 2 ? 4 : 3)));
const WEIGHTS = [0.2, 1, 2, 3];

const TORCH = `
import json, sys, torch
torch.set_default_dtype(torch.float64)
a = json.load(sys.stdin)
shape, K = a['shape'], a['K']
out = {}
for name, weights, bg in a['cases']:
    z = torch.tensor(a['logits']).reshape(*shape, K).requires_grad_(True)
    y = torch.tensor(a['labels']).reshape(*shape)
    p = torch.softmax(z, -1)
    lp = torch.log(p.clamp(1e-7, 1 - 1e-7)).movedim(-1, 1)
    w = torch.tensor(weights) if weights else None
    ce = torch.nn.functional.nll_loss(lp, y, weight=w)
    g = torch.nn.functional.one_hot(y, K).double()
    dims = tuple(range(1, len(shape)))
    inter = (p * g).sum(dims); pred = p.sum(dims); truth = g.sum(dims)
    dice = 1 - (2 * inter + 1e-5) / (pred + truth + 1e-5)
    dice = (dice if bg else dice[:, 1:]).mean()
    loss = {'sparseCategoricalCrossentropy': ce, 'dice': dice, 'diceCrossentropy': dice + ce}[name]
    loss.backward()
    out[f"{name}/{str(bool(weights)).lower()}/{str(bg).lower()}"] = {'value': loss.item(), 'grad': z.grad.reshape(-1).tolist()}
json.dump(out, sys.stdout)
`;

type Case = [LossName, number[] | null, boolean];
const CASES: Case[] = [
  ['sparseCategoricalCrossentropy', null, true],
  ['sparseCategoricalCrossentropy', WEIGHTS, true],
  ['dice', null, true],
  ['dice', null, false],
  ['diceCrossentropy', null, true],
  ['diceCrossentropy', WEIGHTS, false],
];
let reference: Record<string, { value: number; grad: number[] }>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const input = JSON.stringify({ shape: SHAPE, K, logits: [...logits], labels: [...labels], cases: CASES });
  const r = spawnSync('/usr/bin/python3', ['-c', TORCH], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  reference = JSON.parse(r.stdout);
});

describe('segmentation losses against PyTorch', () => {
  it.each(CASES)('%s (class weights %j, background %s): value and gradient', (name, weights, bg) => {
    const targets = voxelTargets(labels, SHAPE[0], K, weights ?? undefined);
    const z = tf.tensor(logits, [...SHAPE, K]);
    const f = (x: tf.Tensor): tf.Scalar => segmentationLoss(name, tf.softmax(x, -1), targets, bg);
    const { value, grad } = tf.valueAndGrad(f)(z);
    const want = reference[`${name}/${Boolean(weights)}/${bg}`] as { value: number; grad: number[] };
    expect(value.dataSync()[0]).toBeCloseTo(want.value, 5);
    const g = grad.dataSync();
    const scale = Math.max(...want.grad.map(Math.abs));
    let worst = 0;
    for (let i = 0; i < g.length; i++) {
      worst = Math.max(worst, Math.abs((g[i] as number) - (want.grad[i] as number)));
    }
    // float32 against float64: within 1e-5 of the largest gradient.
    expect(worst / scale).toBeLessThan(1e-5);
    tf.dispose([z, value, grad]);
    disposeTargets(targets);
  });
});
