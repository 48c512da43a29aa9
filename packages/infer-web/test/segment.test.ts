// The segmenter in Node on wasm: core's sliding windows over onnxruntime-web against the same windows over
// onnxruntime-node, batch independence, a label map known from the volume alone (also through a NIfTI scan written
// by nibabel), and the task errors.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Segmenter } from '@conv3d/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, loadSegmenter, readNifti, segmentScan, type WebSegmenter } from '../src/index.js';
import {
  FREE_SIZE_SEGMENTER,
  maxDiff,
  referenceSegmenter,
  TEST_MODEL,
  TEST_SEGMENTER,
  THRESHOLD_SEGMENTER,
  waveVolume,
} from './helpers.js';

const volume = waveVolume([20, 26, 31], 5);
const options = { overlap: 0.5, output: 'probabilities' } as const;

describe('loadSegmenter in Node (wasm)', () => {
  let segmenter: WebSegmenter;
  let reference: Segmenter<'cpu'>;
  beforeAll(async () => {
    segmenter = await loadSegmenter(new Uint8Array(readFileSync(TEST_SEGMENTER)), { device: 'auto' });
    reference = await referenceSegmenter();
  });
  afterAll(async () => {
    await segmenter.dispose();
    await reference.dispose();
  });

  it('reports wasm and reads the segment contract', () => {
    expect(segmenter.provider).toBe('wasm');
    expect(segmenter.contract.task).toBe('segment');
    expect(segmenter.contract.labels).toEqual(['background', 'shell', 'core']);
  });

  it('equals onnxruntime-node within 1e-5 with the same labels, and does not depend on batch (1e-6)', async () => {
    const expected = await reference.segment(volume, { ...options, batch: 3 });
    const one = await segmenter.segment(volume, { ...options, batch: 1 });
    const many = await segmenter.segment(volume, { ...options, batch: 7 });
    expect(one.windows).toBe(18);
    expect(maxDiff(one.probabilities ?? [], expected.probabilities ?? [])).toBeLessThanOrEqual(1e-5);
    expect(maxDiff(one.probabilities ?? [], many.probabilities ?? [])).toBeLessThanOrEqual(1e-6);
    expect(one.labels).toEqual(expected.labels);
    expect(many.labels).toEqual(one.labels);
    expect(new Set(one.labels).size).toBe(3);
  });

  it('reports progress and stops when aborted', async () => {
    const seen: number[] = [];
    const controller = new AbortController();
    const run = segmenter.segment(volume, {
      batch: 1,
      onProgress: ({ windows }) => {
        seen.push(windows);
        if (windows === 2) controller.abort(new Error('stop here'));
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow('stop here');
    expect(seen).toEqual([1, 2]);
  });
});

describe('the threshold segmenter', () => {
  it('labels each voxel by its intensity band, across window seams', async () => {
    const segmenter = await loadSegmenter(new Uint8Array(readFileSync(THRESHOLD_SEGMENTER)), {
      device: 'wasm',
    });
    const { labels } = await segmenter.segment(volume, { overlap: 0.25, blend: 'constant' });
    await segmenter.dispose();
    const expected = Uint8Array.from(volume.data, (v) => (v < 1 / 3 ? 0 : v < 2 / 3 ? 1 : 2));
    expect(labels).toEqual(expected);
  });

  it('segmentScan maps a permuted, flipped NIfTI scan’s labels back onto its own voxels', async () => {
    const bytes = execFileSync('/usr/bin/python3', [
      '-c',
      `import sys, numpy as np, nibabel as nib
data = (np.random.default_rng(3).integers(0, 17, size=(18, 7, 11)) / 16).astype(np.float32)
affine = np.array([[0, 0, -2.0, 0], [-1.5, 0, 0, 0], [0, 3.0, 0, 0], [0, 0, 0, 1]])
sys.stdout.buffer.write(nib.Nifti1Image(data, affine).to_bytes())`,
    ]);
    const image = await readNifti(new Uint8Array(bytes), 'scan.nii');
    const segmenter = await loadSegmenter(new Uint8Array(readFileSync(THRESHOLD_SEGMENTER)), {
      device: 'wasm',
    });
    const { labels, prepared } = await segmentScan(segmenter, image);
    await segmenter.dispose();
    expect(prepared.dims).toEqual([7, 18, 11]);
    const voxels = image.voxels as Float32Array;
    expect(labels).toEqual(Uint16Array.from(voxels, (v) => (v < 1 / 3 ? 0 : v < 2 / 3 ? 1 : 2)));
  });
});

describe('a free-size segmenter', () => {
  it('runs the whole volume at once, equal to onnxruntime-node on the whole volume (1e-5), or in windows of roi', async () => {
    const segmenter = await loadSegmenter(new Uint8Array(readFileSync(FREE_SIZE_SEGMENTER)), {
      device: 'wasm',
    });
    const reference = await referenceSegmenter(FREE_SIZE_SEGMENTER);
    try {
      const whole = await segmenter.segment(volume, { output: 'probabilities' });
      const expected = await reference.segment(volume, { output: 'probabilities' });
      expect(whole.windows).toBe(1);
      expect(whole.roi).toEqual([20, 26, 31]);
      expect(maxDiff(whole.probabilities ?? [], expected.probabilities ?? [])).toBeLessThanOrEqual(1e-5);
      expect(whole.labels).toEqual(expected.labels);
      const windowed = await segmenter.segment(volume, { roi: [12, 12, 12], overlap: 0.5 });
      expect(windowed.windows).toBe(3 * 4 * 5);
    } finally {
      await segmenter.dispose();
      await reference.dispose();
    }
  });
});

describe('task errors', () => {
  it('refuses a classifier as a segmenter and a segmenter as a classifier, in one line', async () => {
    await expect(loadSegmenter(new Uint8Array(readFileSync(TEST_MODEL)))).rejects.toThrow(
      /^model bytes: is a classifier .*not a segmenter; open it as a classifier$/,
    );
    await expect(load(new Uint8Array(readFileSync(TEST_SEGMENTER)))).rejects.toThrow(
      /^model bytes: is a segmenter .*not a classifier; open it as a segmenter$/,
    );
  });
});
