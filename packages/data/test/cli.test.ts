// The compiled CLI (dist/cli.js, built here first), which also builds on worker threads.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../src/index.js';
import { readMnist } from '../src/mnist-idx.js';
import { buildRows } from '../src/recipe.js';
import { fixture } from './h5-fixture-data.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const cli = join(pkg, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'conv3d-cli-'));

beforeAll(() => {
  execFileSync(
    process.execPath,
    [join(pkg, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: pkg,
    },
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

describe('conv3d-dataset', () => {
  it('build on worker threads gives the same rows as an in-process build; inspect summarises it', async () => {
    const out = join(dir, 'small.h5');
    const built = run('build', '--out', out, '--digits', '5,3', '--seed', '9', '--compression', 'none');
    expect(built.code).toBe(0);
    expect(built.stdout).toContain('10 train + 6 test rows (seed 9, none)');
    const ds = await openDataset(out);
    try {
      for (const split of ['train', 'test'] as const) {
        const rows = ds.count(split);
        expect(ds.read(split).x).toEqual(buildRows(readMnist(split, rows / 2), split, 0, rows, 9).x);
      }
    } finally {
      ds.close();
    }
    const inspected = run('inspect', out);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/train: 10 rows, X float64 \(10,4096\) \[none\], y int64 \(10,\);/);
    expect(inspected.stdout).toMatch(/labels 0:\d+ 1:\d+ .* 9:\d+/);
  });

  it('--help prints the usage and exits 0; no command is a usage error', () => {
    const help = run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage:\n {2}conv3d-dataset build/);
    const none = run();
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('conv3d-dataset: missing command (see conv3d-dataset --help)');
  });

  it.each([
    [['build', '--bogus'], /Unknown option '--bogus'/],
    [['build', '--compression', 'lzf'], /--compression must be gzip or none, got 'lzf'/],
    [['build', '--seed', '1.5'], /--seed must be an integer/],
    [['build', '--digits', '5'], /--digits must be TRAIN,TEST/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['inspect'], /inspect takes exactly one FILE/],
  ])('%j: exit 2 and one line', (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it.each([
    ['missing.h5', /missing\.h5: file not found/],
    ['not-hdf5.h5', /not-hdf5\.h5: not an HDF5 file/],
    ['x-nan.h5', /x-nan\.h5: dataset 'X_train' row 1 voxel 40 is NaN/],
  ])('inspect %s: exit 1, one line naming file and dataset', (name, message) => {
    const r = run('inspect', fixture(name));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('a failed build exits 1 and leaves no file behind', () => {
    const parentIsAFile = join(dir, 'a-file');
    writeFileSync(parentIsAFile, 'not a directory');
    const out = join(parentIsAFile, 'x.h5');
    const r = run('build', '--out', out, '--digits', '1,1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/x\.h5: cannot write HDF5 file/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
