// `conv3d-dataset pack` on folders nibabel writes (scripts/make-scans.py), checked with h5py + nibabel
// (pack-reference.py): every row equals its recorded source scan canonicalised, labels included; and our reader
// opens the result.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preparationProblem } from '@conv3d/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, packDataset } from '../src/index.js';

const python = (...args: string[]) => {
  const run = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout;
};
const script = (name: string) => join(import.meta.dirname, '..', 'scripts', name);
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conv3d-pack-'));
  python(script('make-scans.py'), 'decathlon', join(dir, 'msd'), '6');
  python(script('make-scans.py'), 'classes', join(dir, 'classes'), '8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pack', () => {
  it('packs a Decathlon folder: canonical scans and label volumes, names from dataset.json, sources recorded', async () => {
    const out = join(dir, 'msd.h5');
    const result = await packDataset({ source: join(dir, 'msd'), out, workers: 0 });
    expect([result.sources.task, result.rows]).toEqual(['segment', { train: 5, test: 1 }]);
    const report = JSON.parse(python(join(import.meta.dirname, 'pack-reference.py'), out));
    expect(report).toEqual({
      labels: ['background', 'organ', 'lesion'],
      task: 'segment',
      preparation: { orientation: 'RAS', intensity: { kind: 'none' } },
      grid: [8, 10, 12, 1],
      shapes: {
        train: { x: [5, 8, 10, 12], y: [5, 8, 10, 12], xdtype: 'float32', ydtype: 'uint8' },
        test: { x: [1, 8, 10, 12], y: [1, 8, 10, 12], xdtype: 'float32', ydtype: 'uint8' },
      },
      bad: [],
    });
  });

  it('packs class folders to a --grid, stratified and seeded; the reader opens the file', async () => {
    const out = join(dir, 'classes.h5');
    const result = await packDataset({
      source: join(dir, 'classes'),
      out,
      grid: [6, 7, 8],
      workers: 0,
      seed: 3,
      preparation: { orientation: 'LPS', intensity: { kind: 'minmax' } },
    });
    expect([result.sources.labels, result.rows, result.shape]).toEqual([
      ['a', 'b'],
      { train: 6, test: 2 },
      [6, 7, 8, 1],
    ]);
    const report = JSON.parse(python(join(import.meta.dirname, 'pack-reference.py'), out));
    expect(preparationProblem(report.preparation)).toBeUndefined();
    const ds = await openDataset(out);
    try {
      // The pack's preparation reaches the descriptor, so a model trained on the file records it.
      expect(ds.descriptor.preparation).toEqual({ orientation: 'LPS', intensity: { kind: 'minmax' } });
      expect(ds.descriptor.grid).toEqual([6, 7, 8]);
      expect(ds.descriptor.labels).toEqual(['a', 'b']);
      expect(Array.from(ds.read('test').y).sort()).toEqual([0, 1]);
    } finally {
      ds.close();
    }
  });

  it('packs a CSV of path,label the same way as the folders', async () => {
    const a = await packDataset({
      source: join(dir, 'classes', 'scans.csv'),
      out: join(dir, 'csv.h5'),
      grid: [6, 7, 8],
      workers: 0,
      seed: 3,
      preparation: { orientation: 'LPS', intensity: { kind: 'minmax' } },
    });
    expect([a.sources.layout, a.sources.labels, a.rows]).toEqual(['csv', ['a', 'b'], { train: 6, test: 2 }]);
  });

  it('refuses mixed sizes without --grid/--spacing in one line, and leaves no file', async () => {
    const out = join(dir, 'mixed.h5');
    await expect(packDataset({ source: join(dir, 'classes'), out, workers: 0 })).rejects.toThrow(
      /^\S+scan_\d+\.nii(\.gz)?: prepares to \d+×\d+×\d+, but \S+ to \d+×\d+×\d+: pass --grid D,H,W or --spacing X,Y,Z to resample$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses mixed channel counts in one line', async () => {
    const folder = join(dir, 'channels');
    python(
      '-c',
      `
import nibabel as nib, numpy as np, os
for c, shape in [('a', (4, 5, 6)), ('b', (4, 5, 6, 2))]:
    for i in range(3):
        os.makedirs('${folder}/' + c, exist_ok=True)
        nib.save(nib.Nifti1Image(np.zeros(shape, np.int16), np.eye(4)), '${folder}/%s/%d.nii' % (c, i))
`,
    );
    await expect(packDataset({ source: folder, out: join(dir, 'ch.h5'), workers: 0 })).rejects.toThrow(
      /^\S+\.nii: 2 channels, but \S+\.nii has 1: every scan needs the same channel count$/,
    );
  });

  it('names a bad dataset.json and a scan that is not NIfTI', async () => {
    const msd = join(dir, 'bad-msd');
    python(script('make-scans.py'), 'decathlon', msd, '3');
    writeFileSync(join(msd, 'imagesTr', 'case_001.nii.gz'), 'not a scan');
    await expect(packDataset({ source: msd, out: join(dir, 'bad.h5'), workers: 0 })).rejects.toThrow(
      /case_001\.nii\.gz: sizeof_hdr is \d+, not 348/,
    );
    const json = JSON.parse(readFileSync(join(msd, 'dataset.json'), 'utf8'));
    writeFileSync(join(msd, 'dataset.json'), JSON.stringify({ ...json, labels: { 1: 'x' } }));
    await expect(packDataset({ source: msd, out: join(dir, 'bad.h5'), workers: 0 })).rejects.toThrow(
      /dataset\.json: 'labels' must map "0", "1"/,
    );
  });
});
