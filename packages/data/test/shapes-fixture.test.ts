// The second fixture dataset (scripts/make-shapes-fixture.py): 12×10×8, one channel, 4 named classes, stored as
// (N, D, H, W) float32 -- unlike 3D MNIST in everything.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset } from '../src/index.js';

const FILE = fileURLToPath(new URL('../fixtures/shapes/shapes-12x10x8.h5', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../scripts/make-shapes-fixture.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'conv3d-shapes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(code: string, ...args: string[]): string {
  const r = spawnSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

/** sha256 of each split's X (float32 little-endian bytes) and y (as int32), computed by h5py. */
function h5pyDigests(path: string): string {
  return python(
    [
      'import h5py, hashlib, sys',
      'f = h5py.File(sys.argv[1], "r")',
      'for s in ("train", "test"):',
      '    x = f["X_" + s][:].astype("<f4"); y = f["y_" + s][:].astype("<i4")',
      '    print(s, hashlib.sha256(x.tobytes()).hexdigest(), hashlib.sha256(y.tobytes()).hexdigest())',
    ].join('\n'),
    path,
  );
}

const sha = (a: Float32Array | Float64Array | Int32Array): string =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

describe('shapes-12x10x8.h5', () => {
  it('describes itself: grid 12×10×8, 1 channel, 4 named classes, 600 + 200 balanced rows', async () => {
    const ds = await openDataset(FILE);
    try {
      expect(ds.descriptor).toEqual({
        grid: [12, 10, 8],
        rawChannels: 1,
        voxelOrder: 'dhwc',
        task: 'classify',
        labels: ['sphere', 'cube', 'torus', 'rod'],
        counts: { train: 600, test: 200 },
      });
      expect(ds.info('train')).toMatchObject({ xDtype: 'float32', xShape: [600, 12, 10, 8] });
      expect(ds.info('train').labelCounts).toEqual([150, 150, 150, 150]);
      expect(ds.info('test').labelCounts).toEqual([50, 50, 50, 50]);
    } finally {
      ds.close();
    }
  });

  it('our batched reads give the bytes h5py reads, and the script regenerates the committed file', async () => {
    const fresh = join(dir, 'shapes.h5');
    python(`import runpy, sys; sys.argv = ["x", "--out", "${fresh}"]; runpy.run_path("${SCRIPT}")`);
    const expected = h5pyDigests(FILE);
    expect(h5pyDigests(fresh)).toBe(expected);
    const ds = await openDataset(FILE);
    try {
      const lines: string[] = [];
      for (const split of ['train', 'test'] as const) {
        const n = ds.count(split);
        const x = new Float32Array(n * ds.rowLength);
        const y = new Int32Array(n);
        let at = 0;
        // 64-row batches cross the file's 50-row chunks
        for (const b of ds.batches(split, 64, { reuse: true })) {
          x.set(b.x, at * ds.rowLength);
          y.set(b.y, at);
          at += b.count;
        }
        lines.push(`${split} ${sha(x)} ${sha(y)}`);
      }
      expect(lines.join('\n')).toBe(expected);
    } finally {
      ds.close();
    }
  });
});
