// conv3d-predict on a NIfTI scan: tiny.onnx's first reference sample written by nibabel as a RAS scan and as the
// same volume stored LPS (axes flipped, so it must be reoriented) gives the reference class and probability.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPredict } from '../src/predict-command.js';
import { fixture, tinyExpected } from './fixtures.js';

const expected = tinyExpected();
const dir = mkdtempSync(join(tmpdir(), 'conv3d-predict-nifti-'));

beforeAll(() => {
  execFileSync('/usr/bin/python3', [
    '-c',
    `import json, sys, numpy as np, nibabel as nib
row = np.array(json.loads(sys.argv[2]), dtype=np.float32)
ijk = row.reshape(16, 16, 16).transpose(2, 1, 0)  # (D, H, W) row, x fastest -> (i, j, k)
nib.save(nib.Nifti1Image(ijk, np.eye(4)), sys.argv[1] + '/ras.nii.gz')
lps = np.diag([-1.0, -1.0, 1.0, 1.0]); lps[:2, 3] = 15
nib.save(nib.Nifti1Image(ijk[::-1, ::-1, :].copy(), lps), sys.argv[1] + '/lps.nii')
nib.save(nib.Nifti1Image(np.stack([ijk, ijk], -1), np.eye(4)), sys.argv[1] + '/two-channels.nii.gz')`,
    dir,
    JSON.stringify(Array.from(expected.raw[0] as Float64Array)),
  ]);
  writeFileSync(join(dir, 'broken.nii.gz'), new Uint8Array([0x1f, 0x8b, 8, 0]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPredict(argv, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out, err };
}

describe('conv3d-predict model.onnx scan.nii.gz', () => {
  it('prints the reference class for a RAS scan and for the same volume stored LPS', async () => {
    const p = (expected.probabilities[0] as number[])[expected.argmax[0] as number] as number;
    for (const scan of ['ras.nii.gz', 'lps.nii']) {
      const { code, out, err } = await run(fixture('tiny.onnx'), join(dir, scan), '--device', 'cpu');
      expect([code, err]).toEqual([0, []]);
      expect(out).toHaveLength(1);
      const match = /: (\S+) p=(\d\.\d{4}) \(next: .+\); provider cpu$/.exec(out[0] as string);
      expect(match?.[1]).toBe(String(expected.argmax[0]));
      expect(Math.abs(Number(match?.[2]) - p)).toBeLessThanOrEqual(5e-5);
    }
  });

  it('a scan the model cannot take, or a broken file, exits 1 with one line naming the file and field', async () => {
    const channels = await run(fixture('tiny.onnx'), join(dir, 'two-channels.nii.gz'));
    expect(channels.code).toBe(1);
    expect(channels.err.join('\n')).toMatch(
      /two-channels\.nii\.gz: dim\[4\] gives 2 channels, the model takes 1/,
    );
    const broken = await run(fixture('tiny.onnx'), join(dir, 'broken.nii.gz'));
    expect(broken.code).toBe(1);
    expect(broken.err).toHaveLength(1);
    expect(broken.err[0]).toMatch(/broken\.nii\.gz: gzip stream is truncated or corrupt/);
  });
});
