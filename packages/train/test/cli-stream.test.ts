// The built CLI streaming on its worker thread: the same bits as the in-memory path, and a data file truncated
// while training reads it: one line naming the file, dataset and rows, exit 1, the last checkpoint intact, and
// --resume finishing the run once the file is restored, exactly where an uninterrupted run ends.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { writeH5 } from './h5-writer.js';
import { syntheticDataset } from './synthetic.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'conv3d-cli-stream-'));
const original = join(root, 'data.h5');
const copy = join(root, 'copy.h5');
const configPath = join(root, 'tiny.json');
// Without vitest's NODE_OPTIONS, so the worker thread resolves the packages' compiled dist as a user's would.
const { NODE_OPTIONS: _, ...env }: NodeJS.ProcessEnv = { ...process.env, CONV3D_EPOCHS: '' };

const CONFIG = {
  name: 'tiny-stream',
  layers: [
    { className: 'Conv3D', config: { filters: 4, kernelSize: 3, strides: 2, activation: 'relu' } },
    { className: 'MaxPooling3D', config: { poolSize: 2 } },
    { className: 'Flatten' },
    { className: 'Dense', config: { activation: 'softmax' } },
  ],
  loss: 'categorical_crossentropy',
  optimizer: { className: 'Adam', config: { learningRate: 0.01 } },
  batchSize: 10,
  epochs: 3,
  validationSplit: 0.2,
  seed: 4,
};

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first (npm run build)`);
  await writeH5(original, syntheticDataset({ train: 200, test: 20 }));
  copyFileSync(original, copy);
  writeFileSync(configPath, JSON.stringify(CONFIG));
});

const common = (data: string, out: string) => [
  '--config',
  configPath,
  '--data',
  data,
  '--backend',
  'cpu',
  '--out',
  out,
];
const runCli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
const outputs = (dir: string) =>
  ['weights.bin', 'history.json', 'metrics.json'].map((f) => readFileSync(join(dir, f)));
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('conv3d-train --stream (worker thread)', () => {
  const whole = join(root, 'whole');

  test('gives the bits of --no-stream, read ahead on the worker', () => {
    const streamed = runCli(...common(original, whole), '--stream');
    expect(streamed.status, streamed.stderr).toBe(0);
    expect(streamed.stdout).toContain(
      'Streaming: 16 steps per epoch, read on a worker thread, 2 batches ahead',
    );
    const memory = runCli(...common(original, join(root, 'memory')), '--no-stream');
    expect(memory.status, memory.stderr).toBe(0);
    const [a, b] = [outputs(whole), outputs(join(root, 'memory'))];
    for (const [i, bytes] of a.entries()) expect(bytes.equals(b[i] as Buffer)).toBe(true);
    const run = JSON.parse(readFileSync(join(whole, 'run.json'), 'utf8'));
    expect(run.loading).toMatchObject({
      mode: 'stream',
      workerThread: true,
      readAhead: 2,
      stepsPerEpoch: 16,
    });
    expect(run.loading.epochWaitSeconds).toHaveLength(3);
    expect(run.loading.peakQueuedBatches).toBeLessThanOrEqual(4);
  }, 300_000);

  test('the file truncated mid-run: one line, exit 1, checkpoint intact; restored, --resume ends like the whole run', async () => {
    const out = join(root, 'faulty');
    const checkpoint = join(out, 'checkpoint.bin');
    const child: ChildProcess = spawn(process.execPath, [CLI, ...common(copy, out), '--stream'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while (!existsSync(checkpoint)) await new Promise((r) => setTimeout(r, 5));
    // Between epochs 1 and 2: the epoch-1 checkpoint exists, the rest of X_train goes.
    truncateSync(copy, Math.floor(statSync(original).size / 3));
    const saved = readFileSync(checkpoint);
    expect(await exited).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `^conv3d-train: ${literal(copy)}: cannot read rows \\d+–\\d+ of dataset 'X_train'[^\\n]*truncated[^\\n]*\\n$`,
      ),
    );
    expect(readFileSync(checkpoint).equals(saved)).toBe(true);
    const headerLength = saved.readUInt32LE(8);
    expect(JSON.parse(saved.toString('utf8', 12, 12 + headerLength)).state.epochsDone).toBe(1);
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);

    copyFileSync(original, copy);
    const resumed = runCli(...common(copy, out), '--stream', '--resume');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Resuming from .*checkpoint\.bin after epoch 1\n/);
    const [a, b] = [outputs(whole), outputs(out)];
    for (const [i, bytes] of a.entries()) expect(bytes.equals(b[i] as Buffer)).toBe(true);
  }, 300_000);
});
