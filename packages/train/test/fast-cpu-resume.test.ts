// On the fast CPU backend (fused Conv3D, argmax MaxPool, fused Adam, Dropout masks seeded per
// step), a run killed after epoch 1 and resumed from its checkpoint ends with the same weights,
// history and test metrics, bit for bit, as the uninterrupted run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { train } from '../src/train.js';
import { syntheticDataset } from './synthetic.js';
import { tinyConfig } from './tiny-config.js';

const root = mkdtempSync(join(tmpdir(), 'conv3d-fast-resume-'));
const data = syntheticDataset({ train: 50, test: 20 });
const weightsOf = (model: tf.LayersModel): Float32Array[] =>
  model.getWeights().map((w) => Float32Array.from(w.dataSync()));

test('a resumed fast-cpu run ends exactly where the uninterrupted one did', async () => {
  const options = { config: tinyConfig(), data, backend: 'fast-cpu' as const, log: () => {} };
  const reference = await train({ ...options, outDir: join(root, 'reference') });
  expect(reference.run.backend.detail ?? '').toMatch(/native-/);
  await train({ ...options, outDir: join(root, 'resumed'), epochs: 1 });
  const resumed = await train({ ...options, outDir: join(root, 'resumed'), resume: true });
  expect(resumed.run.resumedFromEpoch).toBe(1);
  expect(resumed.history).toEqual(reference.history);
  expect(weightsOf(resumed.model)).toEqual(weightsOf(reference.model));
  expect(resumed.test).toEqual(reference.test);
  reference.dispose();
  resumed.dispose();
});
