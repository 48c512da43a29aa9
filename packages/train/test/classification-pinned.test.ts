// The classification path must not move when training is reorganised (tasks/): the seed config and a best-like
// config (BatchNormalization, ReLU, GAP, Dropout) trained for a few steps on stock cpu give exactly the losses and
// weights recorded before the segmentation work (commit cd01ed5), as sha256 of the float32 weights.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadTrainConfig, type TrainConfig } from '../src/config.js';
import { SEED_CONFIG_PATH, train } from '../src/train.js';
import { bestLikeConfig } from './best-like-config.js';
import { syntheticDataset } from './synthetic.js';

const root = mkdtempSync(join(tmpdir(), 'conv3d-pinned-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const data = syntheticDataset({ train: 25, test: 10 });

async function fingerprint(config: TrainConfig, name: string) {
  const result = await train({
    config,
    data,
    backend: 'cpu',
    epochs: 1,
    batchSize: 10,
    outDir: join(root, name),
    log: () => {},
  });
  const hash = createHash('sha256');
  for (const w of result.model.getWeights())
    hash.update(new Uint8Array((w.dataSync() as Float32Array).buffer));
  const out = { loss: result.history.loss, valLoss: result.history.val_loss, weights: hash.digest('hex') };
  result.dispose();
  return out;
}

describe('classification runs are unchanged', () => {
  test('the seed config', async () => {
    expect(await fingerprint(loadTrainConfig(SEED_CONFIG_PATH), 'seed')).toEqual(PINNED.seed);
  });
  test('a best-like config', async () => {
    expect(await fingerprint(bestLikeConfig(), 'best')).toEqual(PINNED.best);
  });
});

const PINNED = {
  seed: {
    loss: [3.5680235624313354],
    valLoss: [3.0712305068969727],
    weights: '422b862d57d2c38097b95d11f719034dd448e46c2ac861e89e0a939e4cc5daa3',
  },
  best: {
    loss: [2.9589688777923584],
    valLoss: [2.3269678115844727],
    weights: 'd53799c7f110b1497c2c2b3ed2c8b25e9439bc8f721ed76da2a9beef6cde64c1',
  },
};
