// prepareScan / prepareLabels / labelsToScan against nibabel + scipy.ndimage.map_coordinates + MONAI's formulas
// (prepare-reference.py): images within 1e-5 relative (float32 storage), labels exact.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyIntensity,
  labelsToScan,
  type NiftiImage,
  orientImage,
  prepareLabels,
  prepareScan,
  readNifti,
  type VolumePreparation,
} from '../../src/index.js';

interface Case {
  name: string;
  preparation: VolumePreparation;
  grid: [number, number, number] | null;
  shape: number[];
}

let dir = '';
let cases: Case[] = [];
let scan: NiftiImage;
let labelScan: NiftiImage;
const floatsOf = (file: string) =>
  new Float32Array(new Uint8Array(readFileSync(join(dir, file))).slice().buffer);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conv3d-prepare-'));
  const run = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'prepare-reference.py'), dir], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Case[];
  scan = await readNifti(readFileSync(join(dir, 'scan.nii.gz')), 'scan.nii.gz');
  labelScan = await readNifti(readFileSync(join(dir, 'labels.nii.gz')), 'labels.nii.gz');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (c: Case) => (c.grid === null ? {} : { grid: c.grid });

describe('prepareScan and prepareLabels against scipy/numpy', () => {
  it('covers orientation, spacing, grid and every intensity kind', () => {
    expect(cases.map((c) => c.name)).toHaveLength(5);
  });

  it('gives the reference image row and shape', () => {
    for (const c of cases) {
      const prepared = prepareScan(scan, c.preparation, options(c));
      const expected = floatsOf(`${c.name}.image`);
      expect([c.name, prepared.shape]).toEqual([c.name, [...c.shape, 1]]);
      let worst = 0;
      expected.forEach((e, v) => {
        worst = Math.max(worst, Math.abs((prepared.row[v] as number) - e) / Math.max(1, Math.abs(e)));
      });
      expect([c.name, worst < 1e-5]).toEqual([c.name, true]);
    }
  });

  it('gives the reference label volume (nearest)', () => {
    for (const c of cases) {
      const { labels, shape } = prepareLabels(labelScan, c.preparation, options(c));
      expect(shape).toEqual(c.shape);
      expect([c.name, Array.from(labels)]).toEqual([c.name, Array.from(floatsOf(`${c.name}.labels`))]);
    }
  });

  it('puts labels back on the scan: prepared without resampling, they return voxel for voxel', () => {
    const stored = orientImage(labelScan, 'stored').data;
    for (const c of cases.filter((k) => k.grid === null && k.preparation.spacing === undefined)) {
      const { labels } = prepareLabels(labelScan, c.preparation);
      expect(Array.from(labelsToScan(labels, labelScan, c.preparation))).toEqual(Array.from(stored));
    }
  });

  it('puts resampled labels back on the scan grid: a 2× finer grid returns voxel for voxel', () => {
    const preparation: VolumePreparation = { orientation: 'LIA', intensity: { kind: 'none' } };
    const grid = orientImage(labelScan, 'LIA').shape.map((n) => 2 * n - 1) as [number, number, number];
    const { labels } = prepareLabels(labelScan, preparation, { grid });
    const back = labelsToScan(labels, labelScan, preparation, { grid });
    expect(Array.from(back)).toEqual(Array.from(orientImage(labelScan, 'stored').data));
  });

  it('refuses a label volume of the wrong size in one line', () => {
    expect(() => labelsToScan(new Uint8Array(5), labelScan)).toThrow(
      /^labels\.nii\.gz: labels have 5 voxels/,
    );
  });
});

describe('applyIntensity edge cases (MONAI semantics)', () => {
  const run = (values: number[], spec: Parameters<typeof applyIntensity>[1]) => {
    const data = Float32Array.from(values);
    applyIntensity(data, spec);
    return Array.from(data);
  };

  it('minmax of a constant volume is zeros; zscore with std 0 divides by 1', () => {
    expect(run([3, 3, 3], { kind: 'minmax' })).toEqual([0, 0, 0]);
    expect(run([3, 3, 3], { kind: 'zscore', nonzero: false })).toEqual([0, 0, 0]);
  });

  it('zscore nonzero leaves zeros and normalises the rest over the rest', () => {
    expect(run([0, 1, 3, 0], { kind: 'zscore', nonzero: true })).toEqual([0, -1, 1, 0]);
  });

  it('window maps [aMin, aMax] to [bMin, bMax], clipped only when asked', () => {
    const w = { kind: 'window', aMin: -100, aMax: 300, bMin: 0, bMax: 1 } as const;
    expect(run([-200, -100, 100, 500], { ...w, clip: true })).toEqual([0, 0, 0.5, 1]);
    expect(run([-200, 500], { ...w, clip: false })).toEqual([-0.25, 1.5]);
  });
});
