// A small real 3D MNIST build (the data package's recipe, MNIST train images 0 … train−1) for augmentation tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataset, openDataset } from '@conv3d/data';
import type { TrainingData } from '../src/batches.js';

export async function smallMnistBuild(
  digits = { train: 30, test: 10 },
): Promise<TrainingData & { path: string }> {
  const out = join(mkdtempSync(join(tmpdir(), 'conv3d-mnist-')), 'small.h5');
  await buildDataset({ out, digits, workers: 0, seed: 5 });
  return openDataset(out);
}
