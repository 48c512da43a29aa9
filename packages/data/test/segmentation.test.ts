// Label volumes: h5py writes them (an independent writer), the reader must give back the same labels per voxel
// through read, batches and readAt, count voxels per class, and refuse bad labels with one line naming the file,
// dataset and row. Also the seeded shapes-seg generator.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildShapesSeg, openDataset, SHAPES_SEG_LABELS, shapesSegSplit } from '../src/index.js';
import { inspectCommand } from '../src/inspect-command.js';

const dir = mkdtempSync(join(tmpdir(), 'conv3d-seg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(code: string, ...args: string[]): string {
  const r = spawnSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

// Volumes (N, 3, 4, 5): X float32, y int16 with labels 0–2 as (N, D, H, W), and the same flattened beside flat X.
const WRITE = `
import h5py, numpy as np, sys, json
rng = np.random.default_rng(7)
out = {}
def make(n):
    return rng.normal(size=(n, 3, 4, 5)).astype('<f4'), rng.integers(0, 3, size=(n, 3, 4, 5)).astype('<i2')
xtr, ytr = make(5); xte, yte = make(3)
with h5py.File(sys.argv[1] + '/vol.h5', 'w') as f:
    f['X_train'] = xtr; f['y_train'] = ytr; f['X_test'] = xte; f['y_test'] = yte
    f.attrs['labels'] = ['bg', 'a', 'b']
with h5py.File(sys.argv[1] + '/flat.h5', 'w') as f:
    f['X_train'] = xtr.reshape(5, 60); f['y_train'] = ytr.reshape(5, 60).astype('u1')
    f['X_test'] = xte.reshape(3, 60); f['y_test'] = yte.reshape(3, 60).astype('u1')
    f.attrs['grid'] = [3, 4, 5]
def bad(name, ytr_bad):
    with h5py.File(sys.argv[1] + '/' + name, 'w') as f:
        f['X_train'] = xtr; f['y_train'] = ytr_bad; f['X_test'] = xte; f['y_test'] = yte
        f.attrs['labels'] = ['bg', 'a', 'b']
big = ytr.copy(); big[3, 1, 2, 4] = 3; bad('too-big.h5', big)
neg = ytr.copy(); neg[2, 0, 0, 1] = -1; bad('negative.h5', neg)
bad('float.h5', ytr.astype('<f4'))
bad('shape.h5', ytr[:, :, :, :4])
json.dump({'train': ytr.reshape(-1).tolist(), 'test': yte.reshape(-1).tolist(),
           'counts': np.bincount(ytr.reshape(-1), minlength=3).tolist()}, sys.stdout)
`;
let truth: { train: number[]; test: number[]; counts: number[] };
beforeAll(() => {
  truth = JSON.parse(python(WRITE, dir));
});

describe('label volumes written by h5py', () => {
  it.each(['vol.h5', 'flat.h5'])(
    '%s: a segmentation set; read, batches and readAt give every voxel label',
    async (name) => {
      const ds = await openDataset(join(dir, name));
      try {
        expect(ds.descriptor).toMatchObject({
          task: 'segment',
          grid: [3, 4, 5],
          counts: { train: 5, test: 3 },
        });
        expect(ds.labelLength).toBe(60);
        expect([...ds.read('train').y]).toEqual(truth.train);
        expect([...ds.read('test', 1, 2).y]).toEqual(truth.test.slice(60, 180));
        const batches = [...ds.batches('train', 2)].flatMap((b) => [...b.y]);
        expect(batches).toEqual(truth.train);
        const at = ds.readAt('train', [4, 0, 4]);
        const row = (r: number) => truth.train.slice(r * 60, (r + 1) * 60);
        expect([...at.y]).toEqual([...row(4), ...row(0), ...row(4)]);
        expect(ds.info('train').labelCounts).toEqual(truth.counts);
      } finally {
        ds.close();
      }
    },
  );

  it.each([
    ['too-big.h5', /too-big\.h5: dataset 'y_train' row 3 voxel 34 holds label 3, expected 0–2/],
    ['negative.h5', /negative\.h5: dataset 'y_train' row 2 voxel 1 holds label -1, expected 0–2/],
    ['float.h5', /float\.h5: dataset 'y_train' has dtype .*, expected integers/],
    [
      'shape.h5',
      /shape\.h5: dataset 'y_train' has shape \(5,3,4,4\), expected \(N,\) labels or label volumes \(5,3,4,5\)/,
    ],
  ])('%s is refused in one line', async (name, message) => {
    const error = await openDataset(join(dir, name)).catch((e: Error) => e);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('inspect shows voxel fractions per class', async () => {
    const lines: string[] = [];
    await inspectCommand([join(dir, 'vol.h5')], { log: (l) => lines.push(l), error: () => {} });
    const total = truth.counts.reduce((a, b) => a + b, 0);
    const pct = (n: number) => ((100 * n) / total).toFixed(1);
    expect(lines).toContain(
      `    voxel fractions: bg ${truth.counts[0]} (${pct(truth.counts[0] as number)} %), a ${truth.counts[1]} (${pct(truth.counts[1] as number)} %), b ${truth.counts[2]} (${pct(truth.counts[2] as number)} %)`,
    );
  });
});

describe('shapes-seg generator', () => {
  const options = { seed: 5, rows: { train: 6, test: 2 }, grid: [12, 16, 16] as const };

  it('is seeded: a volume depends on (seed, split, index) only, and every class appears', () => {
    const a = shapesSegSplit(options, 'train');
    const b = shapesSegSplit({ ...options, rows: { train: 3, test: 2 } }, 'train');
    expect(Buffer.from(b.x.buffer).equals(Buffer.from(a.x.buffer, 0, b.x.byteLength))).toBe(true);
    const other = shapesSegSplit({ ...options, seed: 6 }, 'train');
    expect(Buffer.from(other.y).equals(Buffer.from(a.y))).toBe(false);
    const present = new Set(a.y);
    expect([...present].sort()).toEqual([0, 1, 2, 3]);
    // Foreground voxels are brighter than background on average (the task is learnable from intensity and shape).
    let fg = 0;
    let bg = 0;
    let nf = 0;
    for (let i = 0; i < a.y.length; i++) {
      if (a.y[i]) {
        fg += a.x[i] as number;
        nf++;
      } else bg += a.x[i] as number;
    }
    expect(fg / nf - bg / (a.y.length - nf)).toBeGreaterThan(0.4);
  });

  it('writes a file h5py reads back as uint8 label volumes with the class names', async () => {
    const out = join(dir, 'shapes-seg.h5');
    await buildShapesSeg(out, options);
    const summary = python(
      [
        'import h5py, sys, numpy as np',
        'f = h5py.File(sys.argv[1], "r")',
        'print(f["y_train"].dtype, f["y_train"].shape, f["X_train"].dtype, list(f.attrs["labels"]), int(f["y_test"][:].sum()))',
      ].join('\n'),
      out,
    );
    const test = shapesSegSplit(options, 'test');
    const sum = test.y.reduce((s, v) => s + v, 0);
    expect(summary).toBe(
      `uint8 (6, 12, 16, 16) float32 [${SHAPES_SEG_LABELS.map((l) => `'${l}'`).join(', ')}] ${sum}`,
    );
    const ds = await openDataset(out);
    try {
      expect(ds.descriptor).toMatchObject({
        task: 'segment',
        grid: [12, 16, 16],
        labels: [...SHAPES_SEG_LABELS],
      });
    } finally {
      ds.close();
    }
  });
});
