// Runs the built CLI (dist/cli.js; turbo builds it before the tests) as a user would.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { writeH5 } from './h5-writer.js';
import { syntheticDataset } from './synthetic.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'conv3d-cli-'));
const dataPath = join(root, 'tiny.h5');
const configPath = join(root, 'tiny.json');

const TINY = {
  name: 'tiny-cli',
  layers: [
    {
      className: 'Conv3D',
      config: { inputShape: [16, 16, 16, 3], filters: 4, kernelSize: 3, strides: 2, activation: 'relu' },
    },
    { className: 'MaxPooling3D', config: { poolSize: 2 } },
    { className: 'Dropout', config: { rate: 0.25 } },
    { className: 'Flatten' },
    { className: 'Dense', config: { units: 10, activation: 'softmax' } },
  ],
  loss: 'categorical_crossentropy',
  optimizer: { className: 'Adam', config: { learningRate: 0.01 } },
  batchSize: 10,
  epochs: 4,
  validationSplit: 0.2,
  seed: 5,
};

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first (npm run build)`);
  await writeH5(dataPath, syntheticDataset({ train: 50, test: 20 }));
  writeFileSync(configPath, JSON.stringify(TINY));
});

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CONV3D_EPOCHS: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function start(...args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    stdio: 'ignore',
    env: { ...process.env, CONV3D_EPOCHS: '' },
  });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => child.on('exit', (code) => resolve(code)));

describe('conv3d-train CLI', () => {
  test.each([
    [['--bogus'], "conv3d-train: Unknown option '--bogus' (see conv3d-train --help)"],
    [
      ['--epochs', 'two'],
      "conv3d-train: --epochs: expected a non-negative integer, got 'two' (see conv3d-train --help)",
    ],
    [
      ['--backend', 'tpu'],
      "conv3d-train: --backend: unknown backend 'tpu' (expected auto, tfjs-node-gpu, tfjs-node, fast-cpu, cpu) (see conv3d-train --help)",
    ],
    [['--out'], 'conv3d-train: --out: missing value (see conv3d-train --help)'],
    [
      ['--config', 'a.json', '--dropout'],
      'conv3d-train: --config and --dropout are exclusive (see conv3d-train --help)',
    ],
  ])('%j is a usage error: one line, exit 2', (args, message) => {
    const r = cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${message}\n`);
  });

  test('--help prints the usage and exits 0', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: conv3d-train');
  });

  test("a missing dataset surfaces the data package's DataError, exit 1", () => {
    const missing = join(root, 'missing.h5');
    const r = cli('--backend', 'cpu', '--data', missing, '--out', join(root, 'x'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`conv3d-train: ${missing}: file not found\n`);
  });

  test('a bad config is a one-line ConfigError naming file, layer and field, exit 1', () => {
    const bad = join(root, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        ...TINY,
        layers: [TINY.layers[0], { className: 'MaxPooling3D', config: { poolsize: 2 } }],
      }),
    );
    const r = cli('--config', bad, '--data', dataPath);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `conv3d-train: ${bad}: layers[1] (MaxPooling3D): unknown key 'poolsize' (allowed: name, inputShape, poolSize, strides, padding)\n`,
    );
  });

  test('forcing a backend that is not installed fails clearly, exit 1', () => {
    const r = cli(
      '--backend',
      'tfjs-node-gpu',
      '--config',
      configPath,
      '--data',
      dataPath,
      '--out',
      join(root, 'gpu'),
    );
    // On a machine where tfjs-node-gpu loads, this run would train; here it is absent or broken.
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^conv3d-train: --backend tfjs-node-gpu: tfjs-node-gpu: [^\n]+\n$/);
  });

  test('kill -9 mid-run, then --resume: the run ends exactly where an uninterrupted one does', async () => {
    const common = ['--config', configPath, '--data', dataPath, '--backend', 'cpu'];
    const whole = join(root, 'whole');
    const killed = join(root, 'killed');
    expect(await exited(start(...common, '--out', whole))).toBe(0);

    const child = start(...common, '--out', killed);
    const checkpoint = join(killed, 'checkpoint.bin');
    while (!existsSync(checkpoint)) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited(child)).toBeNull();
    expect(existsSync(join(killed, 'run.json'))).toBe(false);

    const resumed = cli(...common, '--out', killed, '--resume');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/Resuming from .*checkpoint\.bin after epoch [1-3]\n/);
    const run = JSON.parse(readFileSync(join(killed, 'run.json'), 'utf8'));
    expect(run.resumedFromEpoch).toBeGreaterThanOrEqual(1);
    for (const file of ['history.json', 'metrics.json', 'weights.bin']) {
      expect(readFileSync(join(killed, file)), file).toEqual(readFileSync(join(whole, file)));
    }
  });
});
