// The NIfTI reader and label writer against nibabel (Debian's python3-nibabel): fixtures written at test time, each
// compared with nibabel's as_closest_canonical + get_fdata (exact: integers and float64→float32 rounding alike).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzip, labelsToNifti, NiftiError, orientImage, readCanonical, readNifti } from '../../src/index.js';
import { readNiftiFile } from '../../src/node/index.js';

interface Entry {
  file: string;
  shape: number[];
  channels: number;
  affine: number[][];
  liaAffine: number[][];
  storedAffine: number[][];
  zooms: number[];
  codes: string;
  storedCodes: string;
  oblique: boolean;
}

const python = (args: string[]) => {
  const run = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return run.stdout;
};

let dir = '';
let manifest: Entry[] = [];
const bytesOf = (file: string) => new Uint8Array(readFileSync(join(dir, file)));
const floatsOf = (file: string) => new Float32Array(bytesOf(file).slice().buffer);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conv3d-nifti-'));
  python([join(import.meta.dirname, 'make-fixtures.py'), dir]);
  manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Entry[];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const closeMatrix = (actual: number[][], expected: number[][], tol: number) => {
  const worst = Math.max(
    ...actual.flatMap((row, i) => row.map((v, j) => Math.abs(v - (expected[i]?.[j] as number)))),
  );
  expect(worst).toBeLessThanOrEqual(tol);
};

describe('readNifti + orientImage against nibabel', () => {
  it('covers every fixture class', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(30);
  });

  it('matches as_closest_canonical + get_fdata for each fixture, voxel for voxel', async () => {
    for (const entry of manifest) {
      const warnings: string[] = [];
      const volume = await readCanonical(bytesOf(entry.file), entry.file, { warn: (l) => warnings.push(l) });
      const expected = floatsOf(`${entry.file}.expected`);
      expect([entry.file, volume.shape, volume.channels]).toEqual([entry.file, entry.shape, entry.channels]);
      let mismatches = 0;
      for (let v = 0; v < expected.length; v++) if (!Object.is(volume.data[v], expected[v])) mismatches++;
      expect([entry.file, mismatches]).toEqual([entry.file, 0]);
      closeMatrix(volume.affine, entry.affine, 1e-9);
      const spacingError = Math.max(
        ...volume.spacing.map((s, a) => Math.abs(s - (entry.zooms[a] as number))),
      );
      expect(spacingError).toBeLessThan(1e-6);
      expect([entry.file, warnings.length]).toEqual([entry.file, entry.oblique ? 1 : 0]);
    }
  });

  it('keeps the stored affine and orientation codes', async () => {
    for (const entry of manifest) {
      const image = await readNifti(bytesOf(entry.file), entry.file, { warn: () => undefined });
      closeMatrix(image.affine, entry.storedAffine, 1e-9);
      expect(orientImage(image, 'stored').codes).toBe(entry.storedCodes);
    }
  });

  it('reorients to FreeSurfer LIA as nibabel ornt_transform + as_reoriented does', async () => {
    for (const entry of manifest) {
      const image = await readNifti(bytesOf(entry.file), entry.file, { warn: () => undefined });
      const lia = orientImage(image, 'LIA');
      const expected = floatsOf(`${entry.file}.lia`);
      let mismatches = 0;
      for (let v = 0; v < expected.length; v++) if (!Object.is(lia.data[v], expected[v])) mismatches++;
      expect([entry.file, mismatches]).toEqual([entry.file, 0]);
      closeMatrix(lia.affine, entry.liaAffine, 1e-9);
      expect(lia.codes).toBe('LIA');
    }
  });
});

describe('labelsToNifti against nibabel', () => {
  it("writes label maps nibabel reads back with the scan's affine, shape, codes and voxels", async () => {
    const scans = [
      'lps-sform.nii',
      'permuted-qform-only.nii.gz',
      'permuted-nifti2.nii.gz',
      'base-affine.nii.gz',
      'int16-be.nii.gz',
      'four-d.nii.gz',
      'oblique-sform.nii',
      'uint8-le.nii.gz',
    ];
    const pairs = [];
    for (const file of scans) {
      const image = await readNifti(bytesOf(file), file, { warn: () => undefined });
      const [w, h, d] = orientImage(image, 'RAS').shape;
      // (i + 2j + 3k) % 5 on the canonical grid, as a (D, H, W) row
      const labels = new Uint8Array(w * h * d);
      for (let k = 0; k < d; k++)
        for (let j = 0; j < h; j++)
          for (let i = 0; i < w; i++) labels[i + w * (j + h * k)] = (i + 2 * j + 3 * k) % 5;
      const out = join(dir, `${file}.labels.nii.gz`);
      writeFileSync(out, await labelsToNifti(labels, image));
      pairs.push({ scan: join(dir, file), labels: out });
    }
    writeFileSync(join(dir, 'pairs.json'), JSON.stringify(pairs));
    const results = JSON.parse(
      python([join(import.meta.dirname, 'check-labels.py'), join(dir, 'pairs.json')]),
    );
    expect(results).toEqual(
      scans.map(() => ({ affine: true, shape: true, codes: true, dtype: 'uint8', voxels: true })),
    );
  });

  it('writes uint16 when a label exceeds 255', async () => {
    const image = await readNifti(bytesOf('lps-sform.nii'), 'lps-sform.nii');
    const labels = new Uint16Array(210).fill(300);
    const back = await readNifti(await labelsToNifti(labels, image), 'labels');
    expect([back.header.datatype, back.voxels[0]]).toEqual([512, 300]);
  });
});

describe('bad input: one line naming the file and the field', () => {
  const patched = (file: string, edit: (view: DataView, bytes: Uint8Array) => void) => {
    const bytes = bytesOf(file).slice();
    edit(new DataView(bytes.buffer), bytes);
    return bytes;
  };
  const fails = async (bytes: Uint8Array, message: RegExp) => {
    let error: unknown;
    try {
      orientImage(await readNifti(bytes, 'scan.nii'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NiftiError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  };

  it('wrong magic', () =>
    fails(
      patched('ras-sform.nii', (_, b) => b.set([0x78], 344)),
      /^scan\.nii: magic is "x\+1"/,
    ));
  it('not NIfTI at all', () =>
    fails(new TextEncoder().encode('hello, world'), /^scan\.nii: sizeof_hdr is \d+/));
  it('truncated gzip', () =>
    fails(bytesOf('int16-le.nii.gz').slice(0, 200), /^scan\.nii: gzip stream is truncated/));
  it('dims larger than the data', () =>
    fails(
      patched('ras-sform.nii', (v) => v.setInt16(46, 60, true)),
      /^scan\.nii: dim is \[5, 6, 60\] \(int16\): needs/,
    ));
  it('data cut short', () => fails(bytesOf('ras-sform.nii').slice(0, 400), /^scan\.nii: dim is \[5, 6, 7\]/));
  it('vox_offset inside the header', () =>
    fails(
      patched('ras-sform.nii', (v) => v.setFloat32(108, 0, true)),
      /^scan\.nii: vox_offset is 0, inside the 348-byte header$/,
    ));
  it('complex datatype', () =>
    fails(
      patched('ras-sform.nii', (v) => v.setInt16(70, 32, true)),
      /^scan\.nii: datatype is 32 \(complex64\): unsupported/,
    ));
  it('RGB datatype', () =>
    fails(
      patched('ras-sform.nii', (v) => v.setInt16(70, 128, true)),
      /^scan\.nii: datatype is 128 \(RGB24\)/,
    ));
  it('NaN in a float volume', async () => {
    const plain = await gunzip(bytesOf('float32-le.nii.gz'));
    new DataView(plain.buffer, plain.byteOffset).setFloat32(352 + 4 * 17, Number.NaN, true);
    await fails(plain, /^scan\.nii: data has NaN/);
  });
});

describe('readNiftiFile (Node: zlib instead of DecompressionStream)', () => {
  it('reads every gzipped fixture exactly as readNifti does', async () => {
    for (const entry of manifest.filter((e) => e.file.endsWith('.gz'))) {
      const viaZlib = orientImage(await readNiftiFile(join(dir, entry.file), { warn: () => undefined }));
      const viaStream = await readCanonical(bytesOf(entry.file), entry.file, { warn: () => undefined });
      expect([entry.file, viaZlib.data]).toEqual([entry.file, viaStream.data]);
    }
  });

  it('names a missing file and a truncated gzip stream in one line', async () => {
    await expect(readNiftiFile(join(dir, 'missing.nii'))).rejects.toThrow(
      /missing\.nii: file does not exist$/,
    );
    const cut = join(dir, 'cut.nii.gz');
    writeFileSync(cut, bytesOf('int16-le.nii.gz').slice(0, 200));
    await expect(readNiftiFile(cut)).rejects.toThrow(/cut\.nii\.gz: gzip stream is truncated or corrupt \(/);
  });
});
