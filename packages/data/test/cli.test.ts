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
    expect(inspected.stdout).toContain(
      'grid 16×16×16 (D×H×W), 1 channel, voxel order dhwc: 4096 values per row',
    );
    expect(inspected.stdout).toMatch(
      /train: 10 rows, X 'X_train' float64 \(10,4096\) \[none\], y 'y_train' int64 \(10,\); values 0 to 1,/,
    );
    expect(inspected.stdout).toMatch(/class balance: 0 \d+ \([\d.]+ %\), 1 \d+ .*, 9 \d+ \([\d.]+ %\)\n/);
  });

  it.each([
    [['build', '--bogus'], /Unknown option '--bogus'/],
    [['build', '--compression', 'lzf'], /--compression must be gzip or none, got 'lzf'/],
    [['build', '--seed', '1.5'], /--seed must be an integer/],
    [['build', '--digits', '5'], /--digits must be TRAIN,TEST/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['inspect'], /inspect takes exactly one FILE/],
    [
      ['inspect', 'a.h5', '--grid', '16,16'],
      /--grid must be D,H,W or D,H,W,C \(positive integers\), got '16,16'/,
    ],
    [['inspect', 'a.h5', '--labels', 'a,a'], /--labels must be at least 2 distinct non-empty names/],
    [['inspect', 'a.h5', '--x-train', ''], /--x-train must name a dataset/],
  ])('%j: exit 2 and one line', (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it.each([
    ['missing.h5', /missing\.h5: file not found/],
    ['not-hdf5.h5', /not-hdf5\.h5: not an HDF5 file/],
    ['x-nan.h5', /x-nan\.h5: dataset 'X_train' row 1 value 40 is NaN/],
    [
      'general-no-grid.h5',
      /general-no-grid\.h5: dataset 'X_train' has shape \(3,60\) and no 'grid' attribute/,
    ],
  ])('inspect %s: exit 1, one line naming file and dataset', (name, message) => {
    const r = run('inspect', fixture(name));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('inspect reads any layout with the dataset flags: grid, labels, names, class balance', () => {
    const r = run(
      'inspect',
      fixture('general-named.h5'),
      '--labels',
      'a,b,c,d,e,f,g,h,i,j',
      ...[
        '--x-train',
        'train/voxels',
        '--y-train',
        'train/labels',
        '--x-test',
        'test/voxels',
        '--y-test',
        'test/labels',
      ],
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(1, 4)).toEqual([
      '  grid 3×4×5 (D×H×W), 1 channel, voxel order dhwc: 60 values per row',
      '  labels (10): a, b, c, d, e, f, g, h, i, j',
      "  train: 3 rows, X 'train/voxels' float32 (3,3,4,5) [none], y 'train/labels' int64 (3,); values -0.75 to 1.75, 54.7 nonzero values/row",
    ]);
    expect(r.stdout).toContain('    class balance: a 1 (33.3 %), b 0 (0.0 %), c 0 (0.0 %), d 1 (33.3 %),');
    expect(r.stdout).toContain('  all values finite, all labels in 0–9');
    const flat = run('inspect', fixture('general-no-grid.h5'), '--grid', '3,2,5');
    expect(flat.stdout).toContain('grid 3×2×5 (D×H×W), 2 channels, voxel order dhwc: 60 values per row');
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
