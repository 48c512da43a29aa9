// conv3d-predict and segmentScan on a NIfTI scan with a segmenter: nibabel writes a seeded scan stored with a
// permuted, flipped, anisotropic (non-RAS) affine; infer-web's threshold segmenter labels each voxel by its intensity
// band (< 1/3, < 2/3, else), so nibabel reading our seg.nii.gz back must find the scan's shape and affine and, at
// every voxel, the band of the scan's own voxel there (exact): any axis mix-up in preparing or mapping back fails.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSegmenter, readNifti, segmentScan } from '../src/index.js';
import { runPredictLines } from './fixtures.js';

const THRESHOLD = fileURLToPath(
  new URL('../../infer-web/fixtures/threshold-segmenter.onnx', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'conv3d-predict-nifti-seg-'));
const scan = join(dir, 'scan.nii.gz');

beforeAll(() => {
  // (i, j, k) = (20, 9, 17): i runs posterior-to-anterior flipped (-y), j superior (+z), k left (-x); 20 and 17
  // exceed the 16³ patch, so windows overlap and seams are crossed.
  execFileSync('/usr/bin/python3', [
    '-c',
    `import sys, numpy as np, nibabel as nib
rng = np.random.default_rng(7)
data = (rng.integers(0, 17, size=(20, 9, 17)) / 16).astype(np.float32)
affine = np.array([[0, 0, -2.0, 30], [-1.5, 0, 0, 12], [0, 3.0, 0, -7], [0, 0, 0, 1]])
nib.save(nib.Nifti1Image(data, affine), sys.argv[1])`,
    scan,
  ]);
  writeFileSync(join(dir, 'broken.nii.gz'), new Uint8Array([0x1f, 0x8b, 8, 0]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runPredictLines;

/** nibabel's view of a label map against the scan: shape, affine, dtype and voxels off the intensity bands. */
function checkWithNibabel(seg: string): {
  shape: number[];
  sameAffine: boolean;
  dtype: string;
  wrong: number;
} {
  const report = execFileSync('/usr/bin/python3', [
    '-c',
    `import json, sys, numpy as np, nibabel as nib
scan, seg = nib.load(sys.argv[1]), nib.load(sys.argv[2])
expected = np.digitize(scan.get_fdata(), [1 / 3, 2 / 3])
labels = np.asanyarray(seg.dataobj)
print(json.dumps({'shape': list(labels.shape), 'sameAffine': bool(np.array_equal(seg.affine, scan.affine)),
  'dtype': str(labels.dtype), 'wrong': int((labels != expected).sum()) if labels.shape == expected.shape else -1}))`,
    scan,
    seg,
  ]);
  return JSON.parse(report.toString());
}

describe('conv3d-predict segmenter.onnx scan.nii.gz --out seg.nii.gz', () => {
  it('writes the label map on the scan grid: nibabel finds its shape, affine and every voxel’s band', async () => {
    const seg = join(dir, 'seg.nii.gz');
    const { code, out, err } = await run(
      THRESHOLD,
      scan,
      '--out',
      seg,
      '--device',
      'cpu',
      '--overlap',
      '0.5',
    );
    expect([code, err]).toEqual([0, []]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      /seg\.nii\.gz: 20×9×17 labels on .*scan\.nii\.gz's grid; voxels per label: background \d+, shell \d+, core \d+; \d+ windows of 16×16×16; provider cpu$/,
    );
    const counts = /background (\d+), shell (\d+), core (\d+)/
      .exec(out[0] as string)
      ?.slice(1)
      .map(Number);
    expect(counts?.reduce((a, b) => a + b, 0)).toBe(20 * 9 * 17);
    expect(checkWithNibabel(seg)).toEqual({ shape: [20, 9, 17], sameAffine: true, dtype: 'uint8', wrong: 0 });
  });

  it('segmentScan on bytes gives the same label map in the scan’s own axis order', async () => {
    const image = await readNifti(readFileSync(scan), 'scan.nii.gz');
    const segmenter = await loadSegmenter(THRESHOLD, { device: 'cpu' });
    try {
      const { labels, prepared } = await segmentScan(segmenter, image);
      // RAS+ from (−y, +z, −x): the prepared volume's x, y, z are the scan's k, i, j; dims are [D, H, W] = [z, y, x].
      expect(prepared.dims).toEqual([9, 20, 17]);
      const expected = Uint16Array.from(image.voxels as Float32Array, (v) =>
        v < 1 / 3 ? 0 : v < 2 / 3 ? 1 : 2,
      );
      expect(labels).toEqual(expected);
    } finally {
      await segmenter.dispose();
    }
  });

  it('a broken scan exits 1 with one line naming it and leaves no file; no --out exits 2 naming the flag', async () => {
    const seg = join(dir, 'never.nii.gz');
    const before = readdirSync(dir).sort();
    const broken = await run(THRESHOLD, join(dir, 'broken.nii.gz'), '--out', seg, '--device', 'cpu');
    expect(broken.code).toBe(1);
    expect(broken.err).toHaveLength(1);
    expect(broken.err[0]).toMatch(/broken\.nii\.gz: gzip stream is truncated or corrupt/);
    expect(existsSync(seg)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(before);
    const usage = await run(THRESHOLD, scan);
    expect(usage.code).toBe(2);
    expect(usage.err.join('\n')).toMatch(/--out seg\.nii\.gz/);
    const wrongExtension = await run(THRESHOLD, scan, '--out', join(dir, 'seg.h5'));
    expect(wrongExtension.code).toBe(2);
    expect(existsSync(join(dir, 'seg.h5'))).toBe(false);
  });
});
