// conv3d-ensemble: the members' mean probabilities scored on the test (or validation) rows, each member beside it,
// against an independent tally from the members' own predictions; test-time views; refusals.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEED_CONTRACT } from '@conv3d/core';
import { type Dataset3D, openDataset } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { toTensors } from '../src/batches.js';
import { scoreEnsemble } from '../src/ensemble/score.js';
import { TTA_SETS, viewRows } from '../src/ensemble/tta.js';
import { loadModelFromDir } from '../src/model-io.js';
import { train } from '../src/train.js';
import { bestLikeConfig } from './best-like-config.js';
import { smallMnistBuild } from './mnist-build.js';

const root = mkdtempSync(join(tmpdir(), 'conv3d-ensemble-'));
const runs = [join(root, 'a'), join(root, 'b')];
let dataPath: string;

beforeAll(async () => {
  const ds = await smallMnistBuild();
  dataPath = ds.path;
  ds.close();
  for (const [i, outDir] of runs.entries()) {
    const r = await train({
      config: bestLikeConfig({ seed: 21 + i, epochs: 2 }),
      data: dataPath,
      backend: 'cpu',
      outDir,
      log: () => {},
    });
    r.dispose();
  }
}, 300_000);

/** The independent tally: each member's predict on the rows, averaged, argmax against the labels. */
async function tally(split: 'test' | 'train', start: number, end: number) {
  const ds: Dataset3D = await openDataset(dataPath);
  const { x, y } = ds.read(split, start, end - start);
  ds.close();
  const probs: Float32Array[] = [];
  for (const dir of runs) {
    const model = await loadModelFromDir(dir);
    const { xs, ys } = toTensors(SEED_CONTRACT, x, y, end - start);
    probs.push((model.predict(xs) as tf.Tensor).dataSync() as Float32Array);
    tf.dispose([xs, ys]);
    model.dispose();
  }
  const mean = (probs[0] as Float32Array).map((v, j) => (v + (probs[1]?.[j] as number)) / 2);
  let correct = 0;
  for (let r = 0; r < end - start; r++) {
    const row = [...mean.subarray(r * 10, r * 10 + 10)];
    if (row.indexOf(Math.max(...row)) === y[r]) correct++;
  }
  return { accuracy: correct / (end - start), mean, y };
}

describe('conv3d-ensemble', () => {
  test('scores the mean of the members on the test rows, each member as its own run scored it', async () => {
    const outDir = join(root, 'ensemble');
    const lines: string[] = [];
    const result = await scoreEnsemble({ members: runs, outDir, backend: 'cpu', log: (l) => lines.push(l) });
    const reference = await tally('test', 0, 20);
    expect(result.evaluation.count).toBe(20);
    expect(result.evaluation.accuracy).toBe(reference.accuracy);
    result.members.forEach((m, i) => {
      const own = JSON.parse(readFileSync(join(runs[i] as string, 'metrics.json'), 'utf8')).test;
      expect(m.testAccuracy).toBe(own.accuracy);
      expect(m.score.accuracy).toBe(own.accuracy);
      expect(m.score.loss).toBeCloseTo(own.loss, 6);
    });
    const metrics = JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8'));
    expect(metrics.test.accuracy).toBe(reference.accuracy);
    expect(metrics.test.originals.count + metrics.test.rotatedCopies.count).toBe(20);
    expect(metrics.test.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(20);
    const run = JSON.parse(readFileSync(join(outDir, 'run.json'), 'utf8'));
    expect(run.ensemble.members).toEqual([
      { name: 'a', runDir: '../a', testAccuracy: result.members[0]?.testAccuracy },
      { name: 'b', runDir: '../b', testAccuracy: result.members[1]?.testAccuracy },
    ]);
    expect(lines.at(-2)).toMatch(/^Ensemble: \d+\.\d\d % \(originals/);
  }, 120_000);

  test('validation rows with test-time shifts: the mean over views and members, no test accuracy written', async () => {
    const outDir = join(root, 'tta');
    const result = await scoreEnsemble({
      members: runs,
      outDir,
      split: 'validation',
      tta: 'shift',
      backend: 'cpu',
      log: () => {},
    });
    // 60 training rows, validation split 0.2: rows 48–59.
    expect(result.evaluation.count).toBe(12);
    const plain = await tally('train', 48, 60);
    // Members whose output depends on the input (else no view could change it).
    expect(plain.mean.subarray(0, 10)).not.toEqual(plain.mean.subarray(10, 20));
    // The shifted views change the probabilities (else the views were not applied).
    expect(result.evaluation.loss).not.toBeCloseTo(
      (
        await scoreEnsemble({
          members: runs,
          outDir: join(root, 'plain'),
          split: 'validation',
          backend: 'cpu',
          log: () => {},
        })
      ).evaluation.loss,
      6,
    );
    expect(plain.y).toHaveLength(12);
    const metrics = JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8'));
    expect(metrics.test).toBeUndefined();
    expect(metrics.validation.count).toBe(12);
    expect(metrics.tta).toBe('shift');
  }, 120_000);

  test('the shift views move the digit by one voxel along x, y, z and keep its values', () => {
    const row = new Float64Array(4096);
    row[5 + 16 * 6 + 256 * 7] = 0.5;
    const moved = TTA_SETS.shift.slice(1).map((view) => {
      const out = viewRows(SEED_CONTRACT, row, 1, view);
      return out.indexOf(0.5);
    });
    const at = (x: number, y: number, z: number) => x + 16 * y + 256 * z;
    expect(moved).toEqual([at(6, 6, 7), at(4, 6, 7), at(5, 7, 7), at(5, 5, 7), at(5, 6, 8), at(5, 6, 6)]);
    expect(viewRows(SEED_CONTRACT, row, 1, undefined)).toBe(row);
  });

  test('refuses members trained on other rows, with one line naming the run', async () => {
    const odd = join(root, 'odd');
    const r = await train({
      config: bestLikeConfig({ epochs: 1 }),
      data: dataPath,
      backend: 'cpu',
      outDir: odd,
      limit: 40,
      log: () => {},
    });
    r.dispose();
    await expect(
      scoreEnsemble({
        members: [runs[0] as string, odd],
        outDir: join(root, 'x'),
        backend: 'cpu',
        log: () => {},
      }),
    ).rejects.toThrow(/odd: trained on other rows than .*a \(dataset, limit or validation split\)/);
    const broken = join(root, 'broken');
    writeFileSync(join(root, 'broken.json'), '');
    await expect(
      scoreEnsemble({ members: [broken], outDir: join(root, 'y'), backend: 'cpu', log: () => {} }),
    ).rejects.toThrow(/broken\/run\.json: cannot read/);
  }, 120_000);

  test('usage errors exit 2 with one line (the built CLI)', () => {
    const cli = fileURLToPath(new URL('../dist/ensemble/cli.js', import.meta.url));
    const r = spawnSync(process.execPath, [cli, 'runs/a', '--tta', 'flip'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(
      /--tta must be one of none, shift, rotate, shift\+rotate, got 'flip'/,
    );
  });
});
