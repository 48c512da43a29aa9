import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_PACKAGE_MISSING, runPredict } from '../src/predict-command.js';
import { fixture, tinyExpected } from './fixtures.js';

const expected = tinyExpected();
const dir = mkdtempSync(join(tmpdir(), 'conv3d-predict-'));
const data = join(dir, 'data.h5');
// Two test labels are wrong on purpose: accuracy must come out as 6/8.
const testLabels = expected.argmax.map((a, i) => (i === 1 || i === 6 ? (a + 1) % 10 : a));

beforeAll(() => {
  const rows = JSON.stringify(expected.raw.map((r) => Array.from(r)));
  execFileSync('/usr/bin/python3', [
    '-c',
    `import h5py, json, sys, numpy as np
x = np.array(json.loads(sys.argv[2]), dtype=np.float64)
y = np.array(json.loads(sys.argv[3]), dtype=np.int64)
with h5py.File(sys.argv[1], "w") as f:
    f["X_train"], f["y_train"] = x[:3], np.array(json.loads(sys.argv[4]), dtype=np.int64)
    f["X_test"], f["y_test"] = x, y`,
    data,
    rows,
    JSON.stringify(testLabels),
    JSON.stringify(expected.argmax.slice(0, 3)),
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runPredict(argv, {
    log: (line: string) => {
      out += `${line}\n`;
    },
    error: (line: string) => {
      err += `${line}\n`;
    },
  });
  return { code, out, err };
}

describe('conv3d-predict', () => {
  it('prints one line per sample, the accuracy and the provider', async () => {
    const { code, out, err } = await run(fixture('tiny.onnx'), data, '--batch', '3', '--device', 'cpu');
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[1]).toMatch(
      new RegExp(`^test\\[1\\] true ${testLabels[1]} predicted ${expected.argmax[1]} p=0\\.\\d{4}$`),
    );
    expect(lines[8]).toMatch(/^accuracy 0\.7500 \(6\/8\) on test; provider cpu; \d+ samples\/s$/);
  });

  it('honours --split and --limit', async () => {
    const { code, out } = await run(fixture('tiny.onnx'), data, '--split', 'train', '--limit', '2');
    expect(code).toBe(0);
    expect(out).toMatch(/^train\[0\].*\ntrain\[1\].*\naccuracy 1\.0000 \(2\/2\) on train; provider cpu/);
  });

  it.each([
    [['model.onnx'], /expected a model file and a data file, got 1/],
    [['a', 'b', '--split', 'val'], /--split must be test or train, got 'val'/],
    [['a', 'b', '--limit', '0'], /--limit must be a positive integer, got '0'/],
    [['a', 'b', '--device', 'gpu'], /--device must be one of auto, cuda, cpu, got 'gpu'/],
    [['a', 'b', '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('exits 2 on bad arguments %j', async (argv, message) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('(see conv3d-predict --help)');
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, out, err } = await run('--help');
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^usage: conv3d-predict model.onnx data.h5/);
  });

  it('scores by label index, whatever the labels are called', async () => {
    const { code, out } = await run(fixture('named-labels.onnx'), data, '--device', 'cpu');
    expect(code).toBe(0);
    const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    expect(out).toContain(
      `test[1] true ${names[testLabels[1] as number]} predicted ${names[expected.argmax[1] as number]} p=`,
    );
    expect(out).toMatch(/accuracy 0\.7500 \(6\/8\) on test/);
  });

  it('refuses data whose rows do not fit the model, naming both', async () => {
    const { code, err } = await run(fixture('minmax.onnx'), data);
    expect(code).toBe(1);
    expect(err).toBe(
      `conv3d-predict: ${data}: rows of 4096 values, but ${fixture('minmax.onnx')} takes 128 (its 'conv3d.grid' × 'conv3d.raw_channels')\n`,
    );
  });

  it('says what to install when @conv3d/data is missing', async () => {
    const missing = async (): Promise<never> => {
      throw Object.assign(new Error("Cannot find package '@conv3d/data' imported from /app/cli.js"), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
    };
    let err = '';
    const code = await runPredict(
      [fixture('tiny.onnx'), data],
      { log: () => undefined, error: (l) => (err += `${l}\n`) },
      missing,
    );
    expect(code).toBe(1);
    expect(err).toBe(`conv3d-predict: ${DATA_PACKAGE_MISSING}\n`);
  });

  it('exits 1 with one line naming a bad model or data file', async () => {
    const notH5 = join(dir, 'not.h5');
    writeFileSync(notH5, 'plain text');
    const badData = await run(fixture('tiny.onnx'), notH5);
    expect(badData.code).toBe(1);
    expect(badData.err).toBe(`conv3d-predict: ${notH5}: not an HDF5 file (no HDF5 signature)\n`);
    const badModel = await run(fixture('missing-metadata.onnx'), data);
    expect(badModel.code).toBe(1);
    expect(badModel.err).toMatch(
      /^conv3d-predict: .*missing-metadata.onnx: metadata 'conv3d.labels' is missing.*\n$/,
    );
  });
});

describe('built package', () => {
  const pkg = fileURLToPath(new URL('..', import.meta.url));
  it('has been built (turbo runs build before test)', () => {
    expect(existsSync(join(pkg, 'dist', 'cli.js'))).toBe(true);
  });

  it('dist/cli.js exits non-zero on a missing file', () => {
    const result = spawnSync(
      process.execPath,
      [join(pkg, 'dist', 'cli.js'), join(dir, 'absent.onnx'), data],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/absent.onnx: cannot read the model: file not found\n$/);
  });

  it('without @conv3d/data installed, the library loads and the CLI says what to install', () => {
    const hide = fileURLToPath(new URL('./without-data/register.mjs', import.meta.url));
    const library = spawnSync(
      process.execPath,
      [
        '--import',
        hide,
        '--input-type=module',
        '-e',
        "await import('@conv3d/infer-node'); console.log('ok')",
      ],
      { cwd: pkg, encoding: 'utf8' },
    );
    expect({ status: library.status, stdout: library.stdout, stderr: library.stderr }).toEqual({
      status: 0,
      stdout: 'ok\n',
      stderr: '',
    });
    const cli = spawnSync(
      process.execPath,
      ['--import', hide, join(pkg, 'dist', 'cli.js'), fixture('tiny.onnx'), data],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(1);
    expect(cli.stderr).toBe(`conv3d-predict: ${DATA_PACKAGE_MISSING}\n`);
  });

  it('the example app imports @conv3d/infer-node by name and predicts', () => {
    const result = spawnSync(process.execPath, ['example/predict.mjs'], { cwd: pkg, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^provider cpu\ndigit \d with probability 0\.\d{4}\nprobabilities( \d\.\d{3}){10}\n$/,
    );
  });
});
