// The compiled CLI (dist/cli.js, built here first), which also builds on worker threads.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../src/index.js';
import { readMnist } from '../src/mnist-idx.js';
import { buildRows, RecipeScratch } from '../src/recipe.js';
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

/** sha256 of an array's bytes: vitest's toEqual walks multi-million-element typed arrays slowly. */
function digest(a: Float32Array | Float64Array | undefined): string {
  return createHash('sha256')
    .update(a ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : new Uint8Array(0))
    .digest('hex');
}

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

describe('conv3d-dataset', () => {
  it('build on worker threads gives the same rows as an in-process build; inspect summarises it', async () => {
    const out = join(dir, 'small.h5');
    const built = run('build', '--out', out, '--digits', '5,3', '--seed', '9', '--compression', 'none');
    expect(built.code).toBe(0);
    expect(built.stdout).toContain(
      '10 train + 6 test rows of 16³ float64 (seed 9, 1 rotated copy per digit, none)',
    );
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

  it('build --grid 16 is the default file; --grid 64 builds many blocks on the workers, in order', async () => {
    const byDefault = join(dir, 'default.h5');
    const sixteen = join(dir, 'sixteen.h5');
    expect(run('build', '--out', byDefault, '--digits', '3,2').code).toBe(0);
    expect(run('build', '--out', sixteen, '--digits', '3,2', '--grid', '16').code).toBe(0);
    const large = join(dir, 'grid64.h5');
    const built = run('build', '--out', large, '--digits', '12,1', '--grid', '64', '--compression', 'gzip');
    expect(built.stdout).toContain(
      '24 train + 2 test rows of 64³ float64 (seed 1, 1 rotated copy per digit, gzip)',
    );
    const [a, b, c] = await Promise.all([byDefault, sixteen, large].map((f) => openDataset(f)));
    try {
      for (const split of ['train', 'test'] as const) expect(b?.read(split)).toEqual(a?.read(split));
      expect(c?.descriptor).toMatchObject({
        grid: [64, 64, 64],
        rawChannels: 1,
        labels: a?.descriptor.labels,
      });
      expect(a?.descriptor.grid).toEqual([16, 16, 16]);
      // 24 rows of 64³ are two 16-row blocks: each worker builds one
      const expected = buildRows(readMnist('train', 12), 'train', 0, 24, 1, undefined, new RecipeScratch(64));
      expect(digest(c?.read('train').x)).toBe(digest(expected.x));
    } finally {
      for (const ds of [a, b, c]) ds?.close();
    }
  });

  it('a split larger than the in-memory limit is streamed to a chunked dataset: same rows', async () => {
    const { buildDataset } = (await import(pathToFileURL(join(pkg, 'dist', 'builder.js')).href)) as {
      buildDataset: typeof import('../src/builder.js').buildDataset;
    };
    const out = join(dir, 'streamed.h5');
    await buildDataset({
      out,
      grid: 32,
      digits: { train: 20, test: 2 },
      seed: 4,
      inMemoryLimit: 1,
      workers: 2,
    });
    const ds = await openDataset(out);
    try {
      const expected = buildRows(readMnist('train', 20), 'train', 0, 40, 4, undefined, new RecipeScratch(32));
      expect(digest(ds.read('train').x)).toBe(digest(expected.x));
      expect(ds.descriptor.grid).toEqual([32, 32, 32]);
    } finally {
      ds.close();
    }
    const h5py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import h5py, sys; f = h5py.File(sys.argv[1]); print(f["X_train"].chunks, f["X_train"].shape)',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(h5py.stdout.trim()).toBe('(2, 32768) (40, 32768)');
  });

  // five builds: minutes on a machine loaded by other jobs, seconds on a quiet one
  it('1 and 2 workers (and in-process) write the same datasets, streamed or in memory, with copies and float32', {
    timeout: 180_000,
  }, async () => {
    const { buildDataset } = (await import(pathToFileURL(join(pkg, 'dist', 'builder.js')).href)) as {
      buildDataset: typeof import('../src/builder.js').buildDataset;
    };
    const files: string[] = [];
    for (const [workers, inMemoryLimit] of [
      [1, 1],
      [2, 1],
      [0, 1],
      [1, undefined],
      [2, undefined],
    ] as const) {
      const out = join(dir, `workers-${workers}-${inMemoryLimit ?? 'memory'}.h5`);
      // 390 train rows are two 256-row blocks: the two workers build them at once and the writer orders them
      await buildDataset({
        out,
        digits: { train: 130, test: 3 },
        copies: 2,
        dtype: 'float32',
        workers,
        seed: 6,
        ...(inMemoryLimit === undefined ? {} : { inMemoryLimit }),
      });
      files.push(out);
    }
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import h5py, hashlib, sys',
          'for p in sys.argv[1:]:',
          '    f = h5py.File(p)',
          '    print(*[k + ":" + str(f[k].dtype) + str(f[k].shape) + hashlib.sha256(f[k][()].tobytes()).hexdigest() for k in sorted(f)], dict(f.attrs))',
        ].join('\n'),
        ...files,
      ],
      { encoding: 'utf8' },
    );
    expect(py.stderr).toBe('');
    const lines = py.stdout.trim().split('\n');
    expect(lines).toHaveLength(files.length);
    expect(new Set(lines).size).toBe(1);
    expect(lines[0]).toMatch(/^X_test:float32\(9, 4096\)\w+ X_train:float32\(390, 4096\)\w+ y_test/);
    const ds = await openDataset(files[1] as string);
    try {
      const expected = buildRows(
        readMnist('train', 130),
        'train',
        0,
        390,
        6,
        undefined,
        new RecipeScratch(),
        2,
      );
      expect(digest(ds.read('train').x as Float32Array)).toBe(digest(Float32Array.from(expected.x)));
    } finally {
      ds.close();
    }
  });

  it('progress: no bar in a log, one line per tenth with rows/s and ETA, then the final line', () => {
    const out = join(dir, 'progress.h5');
    const r = run('build', '--out', out, '--digits', '100,10', '--copies', '2', '--dtype', 'float32');
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeLessThanOrEqual(9);
    let previous = 0;
    for (const line of lines) {
      const m = line.match(/^building 3D MNIST: (\d+)\/330 rows \((\d+) %\), \d+ rows\/s, ETA (\d+s|\?)$/);
      expect(m, line).not.toBeNull();
      expect(Number(m?.[2])).toBeGreaterThan(previous);
      previous = Number(m?.[2]);
    }
    expect(r.stdout).toMatch(
      /^wrote .*progress\.h5: 300 train \+ 30 test rows of 16³ float32 \(seed 1, 2 rotated copies per digit, none\), 5\.4 MB of voxels in [\d.]+ s \(\d+ rows\/s\)\n$/,
    );
  });

  it('--digits all on a full disk (a 16 MB tmpfs): exit 1, one line naming the file, nothing left', (ctx) => {
    const mnt = join(dir, 'tmpfs');
    mkdirSync(mnt);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mount.status !== 0) {
      ctx.skip(
        `cannot mount a tmpfs here (${(mount.stderr || mount.error?.message || '').trim()}): needs root`,
      );
    }
    try {
      const out = join(mnt, 'mnist-all.h5');
      // 120 000 train rows of 16³ are 3.9 GB: streamed, so the first blocks overflow the 16 MB disk
      const r = run('build', '--out', out, '--digits', 'all');
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n').filter((l) => !l.startsWith('building 3D MNIST:'))).toEqual([
        `conv3d-dataset: ${out}: disk full (no space left on device); the partial file was removed, nothing was written`,
      ]);
      expect(readdirSync(mnt)).toEqual([]);
    } finally {
      spawnSync('umount', [mnt]);
    }
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
    [['build', '--grid', '7'], /--grid must be an integer from 8 to 64, got '7'/],
    [['build', '--grid', '65'], /--grid must be an integer from 8 to 64, got '65'/],
    [['build', '--grid', '16.5'], /--grid must be an integer from 8 to 64/],
    [['build', '--bogus'], /Unknown option '--bogus'/],
    [['build', '--compression', 'lzf'], /--compression must be gzip or none, got 'lzf'/],
    [['build', '--seed', '1.5'], /--seed must be an integer/],
    [['build', '--digits', '5'], /--digits must be 'all' or TRAIN,TEST \(1 to 60000, 1 to 10000\), got '5'/],
    [['build', '--digits', '60001,1'], /--digits must be 'all' or TRAIN,TEST/],
    [['build', '--digits', '5,10001'], /--digits must be 'all' or TRAIN,TEST/],
    [['build', '--digits', 'ALL'], /--digits must be 'all' or TRAIN,TEST/],
    [['build', '--digits', '5,'], /--digits must be 'all' or TRAIN,TEST/],
    [['build', '--copies=-1'], /--copies must be an integer from 0 to 16, got '-1'/],
    [['build', '--copies', '17'], /--copies must be an integer from 0 to 16, got '17'/],
    [['build', '--copies', ''], /--copies must be an integer from 0 to 16, got ''/],
    [['build', '--dtype', 'float16'], /--dtype must be float64 or float32, got 'float16'/],
    [['build', '--workers', 'two'], /--workers must be an integer from 0 to 64, got 'two'/],
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

describe('conv3d-dataset pack (compiled, on worker threads)', () => {
  it('packs the same file on 2 workers as on the calling thread; usage errors exit 2, bad scans 1', () => {
    const msd = join(dir, 'msd');
    execFileSync('/usr/bin/python3', [join(pkg, 'scripts', 'make-scans.py'), 'decathlon', msd, '5']);
    const two = run('pack', msd, '--out', join(dir, 'two.h5'), '--workers', '2', '--spacing', '1.5,1,1');
    expect(two.code).toBe(0);
    expect(two.stderr.split('\n').filter((l) => !l.startsWith('packing scans: '))).toEqual([]);
    expect(two.stdout).toMatch(
      /^wrote .*two\.h5: 4 train \+ 1 test scan\/label pairs \(decathlon, 3 labels\)/,
    );
    expect(
      run('pack', msd, '--out', join(dir, 'one.h5'), '--workers', '0', '--spacing', '1.5,1,1').code,
    ).toBe(0);
    const same = execFileSync('/usr/bin/python3', [
      '-c',
      'import h5py, numpy as np, sys; a, b = (h5py.File(p) for p in sys.argv[1:]); ' +
        'print(sorted(a) == sorted(b) and all(np.array_equal(a[k][()], b[k][()]) for k in a), a["X_train"].shape)',
      join(dir, 'two.h5'),
      join(dir, 'one.h5'),
    ]).toString();
    expect(same.trim()).toBe('True (4, 16, 10, 10)');
    expect(run('pack', msd).code).toBe(2);
    expect(run('pack', msd, '--out', join(dir, 'x.h5'), '--intensity', 'window:3,1,0,1').code).toBe(2);
    writeFileSync(join(msd, 'labelsTr', 'case_002.nii.gz'), new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]));
    const bad = run('pack', msd, '--out', join(dir, 'bad.h5'), '--workers', '2');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/case_002\.nii\.gz: gzip stream is truncated or corrupt/);
    expect(bad.stderr.split('\n').filter((l) => !l.startsWith('packing scans: '))).toHaveLength(1);
    expect(existsSync(join(dir, 'bad.h5'))).toBe(false);
  });
});
