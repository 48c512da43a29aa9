import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { CheckpointError } from '../src/checkpoint.js';
import { loadModelFromDir } from '../src/model-io.js';
import { type TrainOptions, type TrainResult, train } from '../src/train.js';
import { syntheticDataset } from './synthetic.js';
import { tinyConfig } from './tiny-config.js';

const root = mkdtempSync(join(tmpdir(), 'conv3d-train-'));
const data = syntheticDataset({ train: 50, test: 20 });
const quiet = (): void => {};

function run(outDir: string, options: Partial<TrainOptions> = {}): Promise<TrainResult> {
  return train({
    config: tinyConfig(),
    data,
    backend: 'cpu',
    outDir: join(root, outDir),
    log: quiet,
    ...options,
  });
}

const weightsOf = (model: tf.LayersModel): Float32Array[] =>
  model.getWeights().map((w) => w.dataSync() as Float32Array);

describe('train', () => {
  let reference: TrainResult;

  test('writes the run folder: model, history, metrics, run record, curves and report', async () => {
    const lines: string[] = [];
    reference = await run('reference', { log: (l) => lines.push(l) });
    const dir = reference.outDir;
    for (const file of [
      'model.json',
      'weights.bin',
      'history.json',
      'metrics.json',
      'run.json',
      'loss.svg',
      'accuracy.svg',
      'report.html',
      'checkpoint.bin',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
    expect(Object.keys(history)).toEqual(['loss', 'accuracy', 'val_loss', 'val_accuracy']);
    for (const key of Object.keys(history)) expect(history[key]).toHaveLength(3);
    // The tiny model learns the synthetic slabs.
    expect(history.loss[2]).toBeLessThan(history.loss[0]);

    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    expect(metrics.test.count).toBe(20);
    expect(metrics.test.confusion).toHaveLength(10);
    const confusion = metrics.test.confusion as number[][];
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(20);
    const diagonal = confusion.reduce((n, row, i) => n + (row[i] as number), 0);
    expect(metrics.test.accuracy).toBeCloseTo(diagonal / 20, 12);

    const runInfo = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(runInfo.backend).toMatchObject({ requested: 'cpu', name: 'cpu', tfBackend: 'cpu' });
    expect(runInfo.seed).toBe(11);
    expect(runInfo.dataset).toMatchObject({
      path: 'synthetic.h5',
      trainRows: 40,
      validationRows: 10,
      testRows: 20,
    });
    expect(runInfo.timings.epochSeconds).toHaveLength(3);
    expect(runInfo.config.layers).toHaveLength(6);

    for (const svg of ['loss.svg', 'accuracy.svg']) {
      const text = readFileSync(join(dir, svg), 'utf8');
      expect(text.startsWith('<svg')).toBe(true);
      expect(text).toContain('validation');
    }
    const report = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(report).toContain('<svg');
    expect(report).toContain('class="confusion"');
    expect(report).toContain(`${(metrics.test.accuracy * 100).toFixed(2)} %`);

    expect(lines[0]).toMatch(/^Backend: cpu \(tfjs 'cpu'\)$/);
    expect(lines.filter((l) => l.startsWith('Epoch '))).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('Epoch 2/3'))).toMatch(
      /^Epoch 2\/3 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$/,
    );

    // The saved model is the trained one, and carries the model contract for the exporter.
    const loaded = await loadModelFromDir(dir);
    expect(weightsOf(loaded)).toEqual(weightsOf(reference.model));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.conv3d['conv3d.test_accuracy']).toBe(String(metrics.test.accuracy));
  });

  test('a seeded run is reproducible; another seed differs', async () => {
    const again = await run('again');
    expect(again.history).toEqual(reference.history);
    expect(weightsOf(again.model)).toEqual(weightsOf(reference.model));
    const other = await run('other-seed', { seed: 12, epochs: 1 });
    expect(other.history.loss[0]).not.toBe(reference.history.loss[0]);
  });

  test('an interrupted run resumed from its checkpoint ends exactly where the uninterrupted one did', async () => {
    // The first run stops after epoch 1, as a kill during epoch 2 would leave it.
    const first = await run('resumed', { epochs: 1 });
    expect(first.history.loss).toEqual(reference.history.loss.slice(0, 1));
    const lines: string[] = [];
    const resumed = await run('resumed', { resume: true, log: (l) => lines.push(l) });
    expect(lines).toContain(`Resuming from ${join(root, 'resumed', 'checkpoint.bin')} after epoch 1`);
    expect(resumed.run.resumedFromEpoch).toBe(1);
    expect(resumed.history).toEqual(reference.history);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(reference.model));
    expect(resumed.test).toEqual(reference.test);
  });

  test('--resume refuses a checkpoint made with other settings, and the failed run frees its tensors', async () => {
    const before = tf.memory().numTensors;
    await expect(run('resumed', { resume: true, seed: 99 })).rejects.toThrow(CheckpointError);
    await expect(run('resumed', { resume: true, epochs: 2 })).rejects.toThrow(
      `--epochs 2 is below the 3 epochs already in ${join(root, 'resumed', 'checkpoint.bin')}`,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  test("dispose() frees the model's weights and the Adam state; nothing else stays alive", async () => {
    const before = tf.memory().numTensors;
    const result = await run('disposed', { epochs: 1 });
    // 6 weights, then Adam's two moments per weight and its two beta powers.
    expect(tf.memory().numTensors - before).toBe(6 + 12 + 2);
    result.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('overrides are validated and name the flag', async () => {
    await expect(run('bad', { epochs: 0 })).rejects.toThrow(
      "--epochs: 'epochs' must be a positive integer, got 0",
    );
    await expect(run('bad', { learningRate: -1 })).rejects.toThrow(
      "--lr: 'learningRate' must be a positive number, got -1",
    );
  });
});
