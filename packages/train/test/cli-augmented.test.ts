// The built CLI with online augmentation on its worker thread and a per-step one-cycle schedule: kill -9 mid-run,
// --resume, and the run ends byte for byte where an uninterrupted one does.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TrainingData } from '../src/batches.js';
import { BEST_LIKE_LAYERS } from './best-like-config.js';
import { writeH5 } from './h5-writer.js';
import { smallMnistBuild } from './mnist-build.js';
import { syntheticDataset } from './synthetic.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'conv3d-cli-aug-'));
const configPath = join(root, 'augmented.json');
// Without vitest's NODE_OPTIONS, so the worker thread resolves the packages' compiled dist as a user's would.
const { NODE_OPTIONS: _, ...env }: NodeJS.ProcessEnv = { ...process.env, CONV3D_EPOCHS: '' };

const CONFIG = {
  name: 'augmented-cli',
  layers: BEST_LIKE_LAYERS,
  loss: 'categorical_crossentropy',
  optimizer: { className: 'Adam', config: { learningRate: 0.01 } },
  batchSize: 24,
  // Two epochs: the kill lands after epoch 1's checkpoint and the resume trains epoch 2.
  epochs: 2,
  validationSplit: 0.2,
  seed: 8,
  augmentation: {
    rotatedCopies: { source: 'mnist-train', originalRows: 'even' },
    voxel: { flip: { axes: ['x'] }, shift: { max: 1 } },
  },
  callbacks: {
    lrSchedule: { type: 'oneCycle', per: 'step', maxLearningRate: 0.02 },
    earlyStopping: { monitor: 'val_loss', patience: 3, restoreBestWeights: true },
    bestCheckpoint: { monitor: 'val_accuracy' },
  },
};

let ds: TrainingData;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first (npm run build)`);
  ds = await smallMnistBuild();
  writeFileSync(configPath, JSON.stringify(CONFIG));
});
afterAll(() => ds.close());

const start = (...args: string[]): ChildProcess =>
  spawn(process.execPath, [CLI, ...args], { stdio: 'ignore', env });
const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => child.on('exit', (code) => resolve(code)));

describe('conv3d-train with augmentation and callbacks', () => {
  test('kill -9 mid-run, then --resume: the same history, metrics and weights as an uninterrupted run', async () => {
    const common = ['--config', configPath, '--data', ds.path, '--backend', 'cpu'];
    const whole = join(root, 'whole');
    const killed = join(root, 'killed');
    expect(await exited(start(...common, '--out', whole))).toBe(0);
    const run = JSON.parse(readFileSync(join(whole, 'run.json'), 'utf8'));
    expect(run.augmentation).toMatchObject({ epochRows: 48, workerThread: true });
    expect(run.augmentation.waitSeconds).toBeGreaterThanOrEqual(0);

    const child = start(...common, '--out', killed);
    const checkpoint = join(killed, 'checkpoint.bin');
    while (!existsSync(checkpoint)) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited(child)).toBeNull();
    expect(existsSync(join(killed, 'run.json'))).toBe(false);

    const resumed = spawnSync(process.execPath, [CLI, ...common, '--out', killed, '--resume'], {
      encoding: 'utf8',
      env,
    });
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/Resuming from .*checkpoint\.bin after epoch 1\n/);
    expect(resumed.stdout).toContain('Augmentation: 48 rows per epoch, made on a worker thread');
    for (const file of ['history.json', 'metrics.json', 'weights.bin']) {
      expect(readFileSync(join(killed, file)), file).toEqual(readFileSync(join(whole, file)));
    }
    const history = JSON.parse(readFileSync(join(whole, 'history.json'), 'utf8'));
    expect(history.learning_rate).toHaveLength(2);
  }, 600_000);

  test('fresh rotated copies on a file that is not the 3D MNIST build: one line naming the file, exit 1', async () => {
    const other = join(root, 'synthetic.h5');
    await writeH5(other, syntheticDataset({ train: 50, test: 10 }));
    const r = spawnSync(
      process.execPath,
      [CLI, '--config', configPath, '--data', other, '--backend', 'cpu', '--out', join(root, 'refused')],
      { encoding: 'utf8', env },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^conv3d-train: ${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not the 3D MNIST build online augmentation needs \\(row 2i = MNIST train image i\\): train row 0 [^\\n]+\\n$`,
      ),
    );
  });
});
