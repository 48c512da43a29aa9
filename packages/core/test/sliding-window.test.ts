// slidingWindow against an independent numpy rendition of MONAI's sliding_window_inference (helpers/
// monai_sliding_window.py) over the same fake model, plus batch independence, bounded memory, progress and abort.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importanceMap, planWindows, type RunWindows, slidingWindow } from '../src/index.js';
import { mulberry32 } from '../src/random.js';

type Size3 = [number, number, number];

interface Case {
  size: Size3;
  channels: number;
  classes: number;
  roi: Size3;
  overlap: number;
  blend: 'gaussian' | 'constant';
}

/** The test's model: the twin of fake_model in the Python reference (same formula, float64, rounded once). */
function fakeModel(roi: Size3, channels: number, classes: number, runs?: number[]): RunWindows {
  const [d, h, w] = roi;
  return async (input, count) => {
    runs?.push(count);
    const out = new Float32Array(count * d * h * w * classes);
    const logits = new Float64Array(classes);
    for (let v = 0; v < count * d * h * w; v++) {
      const x = v % w;
      const y = Math.floor(v / w) % h;
      const z = Math.floor(v / (w * h)) % d;
      const v0 = input[v * channels] as number;
      const vl = input[v * channels + channels - 1] as number;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < classes; k++) {
        const l = Math.sin((k + 1) * v0 + 0.37 * z + 0.11 * k * y - 0.23 * x + 0.5 * vl * k);
        logits[k] = l;
        if (l > max) max = l;
      }
      let sum = 0;
      for (let k = 0; k < classes; k++) {
        logits[k] = Math.exp((logits[k] as number) - max);
        sum += logits[k] as number;
      }
      for (let k = 0; k < classes; k++) out[v * classes + k] = (logits[k] as number) / sum;
    }
    return out;
  };
}

function volumeFor(c: Case, seed = 7): Float32Array {
  const random = mulberry32(seed);
  const data = new Float32Array(c.size[0] * c.size[1] * c.size[2] * c.channels);
  for (let i = 0; i < data.length; i++) data[i] = random() * 2 - 1;
  return data;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function reference(c: Case, volume: Float32Array): { probabilities: Float32Array; labels: Int32Array } {
  const dir = mkdtempSync(join(tmpdir(), 'conv3d-sw-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'case.json'), JSON.stringify(c));
  writeFileSync(join(dir, 'volume.f32'), volume);
  const script = new URL('./helpers/monai_sliding_window.py', import.meta.url).pathname;
  execFileSync('/usr/bin/python3', [script, dir], { stdio: 'pipe' });
  const read = (name: string) => {
    const bytes = readFileSync(join(dir, name));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  };
  return {
    probabilities: new Float32Array(read('probabilities.f32')),
    labels: new Int32Array(read('labels.i32')),
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** Voxels whose labels differ where the reference's top two probabilities are not within `tie` of each other. */
function labelMismatches(
  labels: ArrayLike<number>,
  ref: Int32Array,
  probabilities: Float32Array,
  classes: number,
  tie = 1e-5,
): number {
  let bad = 0;
  for (let v = 0; v < ref.length; v++) {
    if (labels[v] === ref[v]) continue;
    const a = probabilities[v * classes + (labels[v] as number)] as number;
    const b = probabilities[v * classes + (ref[v] as number)] as number;
    if (Math.abs(a - b) > tie) bad++;
  }
  return bad;
}

const cases: [string, Case][] = [
  [
    'gaussian, overlap 0.5, 2 channels, windows pulled back at the ends',
    { size: [23, 30, 17], channels: 2, classes: 3, roi: [8, 12, 6], overlap: 0.5, blend: 'gaussian' },
  ],
  [
    'constant, overlap 0.25',
    { size: [20, 19, 21], channels: 1, classes: 4, roi: [7, 9, 8], overlap: 0.25, blend: 'constant' },
  ],
  [
    'a volume smaller than the roi on two axes (padded, then cropped)',
    { size: [5, 20, 11], channels: 1, classes: 3, roi: [8, 8, 16], overlap: 0.5, blend: 'gaussian' },
  ],
  [
    '300 classes: Uint16 labels',
    { size: [9, 10, 11], channels: 1, classes: 300, roi: [6, 6, 6], overlap: 0.5, blend: 'gaussian' },
  ],
  [
    'one window exactly on the volume (whole volume at once)',
    { size: [10, 12, 14], channels: 1, classes: 3, roi: [10, 12, 14], overlap: 0.5, blend: 'gaussian' },
  ],
];

describe('slidingWindow against the numpy MONAI reference', () => {
  it.each(cases)('%s', async (_, c) => {
    const volume = volumeFor(c);
    const ref = reference(c, volume);
    const result = await slidingWindow(
      volume,
      c.size,
      c.channels,
      c.classes,
      fakeModel(c.roi, c.channels, c.classes),
      { roi: c.roi, overlap: c.overlap, blend: c.blend, batch: 3, probabilities: true },
    );
    const probabilities = result.probabilities as Float32Array;
    expect(maxAbsDiff(probabilities, ref.probabilities)).toBeLessThan(1e-6);
    expect(result.labels).toBeInstanceOf(c.classes > 256 ? Uint16Array : Uint8Array);
    expect(labelMismatches(result.labels, ref.labels, ref.probabilities, c.classes)).toBe(0);
    // Labels-only gives the same labels.
    const labelsOnly = await slidingWindow(
      volume,
      c.size,
      c.channels,
      c.classes,
      fakeModel(c.roi, c.channels, c.classes),
      { roi: c.roi, overlap: c.overlap, blend: c.blend },
    );
    expect(labelsOnly.probabilities).toBeUndefined();
    expect(labelsOnly.labels).toEqual(result.labels);
  });

  it('visits the windows MONAI does', () => {
    // dense_patch_slices for 23 voxels, roi 8, interval 4: 0, 4, 8, 12, 15 (the last pulled back).
    expect(planWindows([23, 8, 5], [8, 8, 8], 0.5).starts).toEqual([[0, 4, 8, 12, 15], [0], [0]]);
    expect(planWindows([23, 8, 5], [8, 8, 8], 0.5).padBefore).toEqual([0, 0, 1]);
    const map = importanceMap([5, 5, 5], 'gaussian');
    expect(map[62]).toBe(1);
    expect(Math.min(...map)).toBeGreaterThanOrEqual(1e-3);
  });
});

describe('slidingWindow', () => {
  const c: Case = {
    size: [21, 18, 19],
    channels: 1,
    classes: 5,
    roi: [6, 7, 5],
    overlap: 0.5,
    blend: 'gaussian',
  };
  const volume = volumeFor(c, 3);

  it('does not depend on the batch size', async () => {
    const results = [];
    for (const batch of [1, 3, 8, 1000]) {
      results.push(
        await slidingWindow(volume, c.size, 1, c.classes, fakeModel(c.roi, 1, c.classes), {
          roi: c.roi,
          overlap: c.overlap,
          batch,
          probabilities: true,
        }),
      );
    }
    const [first, ...rest] = results;
    for (const r of rest) {
      expect(
        maxAbsDiff(r.probabilities as Float32Array, first?.probabilities as Float32Array),
      ).toBeLessThanOrEqual(1e-6);
      expect(r.labels).toEqual(first?.labels);
    }
  });

  it('holds a band of roi[0] planes, never K × the volume, when only labels are asked for', async () => {
    const k = 50;
    const size: Size3 = [48, 40, 40];
    const roi: Size3 = [8, 8, 8];
    const big = volumeFor({ ...c, size }, 5);
    const sizes: number[] = [];
    const allocate = (n: number) => {
      sizes.push(n);
      return new Float32Array(n);
    };
    const labelsOnly = await slidingWindow(big, size, 1, k, fakeModel(roi, 1, k), {
      roi,
      overlap: 0.5,
      allocate,
    });
    const full = size[0] * size[1] * size[2] * k;
    // The band: roi[0] planes of K sums.
    expect(Math.max(...sizes)).toBe(roi[0] * size[1] * size[2] * k);
    expect(Math.max(...sizes)).toBeLessThan(full / 5);
    sizes.length = 0;
    const withProbabilities = await slidingWindow(big, size, 1, k, fakeModel(roi, 1, k), {
      roi,
      overlap: 0.5,
      allocate,
      probabilities: true,
    });
    expect(Math.max(...sizes)).toBe(full);
    expect(labelsOnly.labels).toEqual(withProbabilities.labels);
  });

  it('reports progress after every model run and stops when aborted', async () => {
    const runs: number[] = [];
    const seen: { windows: number; total: number }[] = [];
    const total = planWindows(c.size, c.roi, 0.5).count;
    await slidingWindow(volume, c.size, 1, c.classes, fakeModel(c.roi, 1, c.classes, runs), {
      roi: c.roi,
      overlap: 0.5,
      batch: 7,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.length).toBe(Math.ceil(total / 7));
    expect(seen.at(-1)).toEqual({ windows: total, total });
    expect(runs.reduce((a, b) => a + b, 0)).toBe(total);

    const controller = new AbortController();
    runs.length = 0;
    const aborted = slidingWindow(volume, c.size, 1, c.classes, fakeModel(c.roi, 1, c.classes, runs), {
      roi: c.roi,
      overlap: 0.5,
      batch: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.windows === 4) controller.abort();
      },
    });
    await expect(aborted).rejects.toThrow(/abort/i);
    expect(runs).toEqual([2, 2]);
  });

  it('refuses bad options with one line naming the option', async () => {
    const run = fakeModel(c.roi, 1, c.classes);
    const go = (options: object) =>
      slidingWindow(volume, c.size, 1, c.classes, run, { roi: c.roi, ...options } as never);
    await expect(go({ overlap: 1 })).rejects.toThrow('segment: overlap must be a number in [0, 1), got 1');
    await expect(go({ batch: 0 })).rejects.toThrow('segment: batch must be a positive integer, got 0');
    await expect(go({ roi: [4, 4] })).rejects.toThrow('segment: roi must be [D, H, W]');
    await expect(go({ blend: 'mean' })).rejects.toThrow('segment: blend must be one of gaussian, constant');
  });
});
