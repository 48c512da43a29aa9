import { spawnSync } from 'node:child_process';
import { Rng } from '@conv3d/core';
import { describe, expect, test } from 'vitest';
import { cropVolume, drawCrop, type Size3 } from '../src/tasks/patch-crops.js';

const PYTHON = '/usr/bin/python3';
const VOLUME: Size3 = [6, 9, 7];
const PATCH: Size3 = [4, 5, 4];
const VOXELS = VOLUME[0] * VOLUME[1] * VOLUME[2];

/** A label volume with class `k` in the voxels the predicate picks. */
function labelsWhere(pick: (z: number, y: number, x: number) => number): Int32Array {
  const out = new Int32Array(VOXELS);
  for (let z = 0; z < VOLUME[0]; z++)
    for (let y = 0; y < VOLUME[1]; y++)
      for (let x = 0; x < VOLUME[2]; x++) out[(z * VOLUME[1] + y) * VOLUME[2] + x] = pick(z, y, x);
  return out;
}
const at = (labels: Int32Array, [z, y, x]: readonly number[]): number =>
  labels[((z as number) * VOLUME[1] + (y as number)) * VOLUME[2] + (x as number)] as number;

/** A corner blob of classes 1 and 2 (near the border, so clamping moves some crops). */
const CORNER = labelsWhere((z, y, x) => (z < 2 && y < 3 && x < 2 ? 1 + (x % 2) : 0));

describe('crops balanced between foreground and background (MONAI RandCropByPosNegLabeld)', () => {
  test('pos=1, neg=0: every centre is foreground; pos=0: every centre is background', () => {
    for (let s = 0; s < 200; s++) {
      const fg = drawCrop(CORNER, VOLUME, PATCH, { pos: 1, neg: 0 }, new Rng(7, s));
      expect(fg.foreground).toBe(true);
      expect(at(CORNER, fg.centre)).toBeGreaterThan(0);
      const bg = drawCrop(CORNER, VOLUME, PATCH, { pos: 0, neg: 1 }, new Rng(7, s));
      expect(at(CORNER, bg.centre)).toBe(0);
    }
  });

  test('pos=1, neg=3: a quarter of 4000 seeded centres are foreground, within ±0.03 (5 binomial sd)', () => {
    let fg = 0;
    for (let s = 0; s < 4000; s++) {
      const draw = drawCrop(CORNER, VOLUME, PATCH, { pos: 1, neg: 3 }, new Rng(11, 0, s));
      if (at(CORNER, draw.centre) > 0) fg++;
    }
    expect(Math.abs(fg / 4000 - 0.25)).toBeLessThan(0.03);
  });

  test('foreground centres are uniform over the foreground voxels (each of 12 within ±30% of 1/12)', () => {
    const counts = new Map<string, number>();
    for (let s = 0; s < 2400; s++) {
      const { centre } = drawCrop(CORNER, VOLUME, PATCH, { pos: 1, neg: 0 }, new Rng(3, s));
      counts.set(centre.join(), (counts.get(centre.join()) ?? 0) + 1);
    }
    expect(counts.size).toBe(12);
    for (const n of counts.values()) expect(Math.abs(n - 200)).toBeLessThan(60);
  });

  test('no foreground: background centres; all foreground: foreground centres (MONAI falls back)', () => {
    const none = new Int32Array(VOXELS);
    expect(drawCrop(none, VOLUME, PATCH, { pos: 1, neg: 0 }, new Rng(1)).foreground).toBe(false);
    const all = new Int32Array(VOXELS).fill(1);
    expect(drawCrop(all, VOLUME, PATCH, { pos: 0, neg: 1 }, new Rng(1)).foreground).toBe(true);
  });

  test('draws depend only on their keys: the same (seed, epoch, step, sample) gives the same crop', () => {
    const draws = (keys: number[]) =>
      Array.from({ length: 20 }, (_, n) =>
        drawCrop(CORNER, VOLUME, PATCH, { pos: 1, neg: 1 }, new Rng(...keys, n)),
      );
    expect(draws([5, 2, 3])).toEqual(draws([5, 2, 3]));
    expect(draws([5, 2, 4])).not.toEqual(draws([5, 2, 3]));
  });
});

describe('clamping and cropping, against numpy (MONAI correct_crop_centers and array slicing)', () => {
  test('starts clamp as MONAI does, and image and labels crop identically, exactly', () => {
    const channels = 2;
    const labels = labelsWhere((z, y, x) => (z + 2 * y + 3 * x) % 3);
    const image = new Float32Array(VOXELS * channels);
    for (let i = 0; i < image.length; i++) image[i] = i * 0.5 - 7;
    const patchVoxels = PATCH[0] * PATCH[1] * PATCH[2];
    const cases = Array.from({ length: 40 }, (_, n) => {
      const draw = drawCrop(labels, VOLUME, PATCH, { pos: 1, neg: 1 }, new Rng(9, n));
      return {
        centre: draw.centre,
        start: draw.start,
        x: Array.from(
          cropVolume(image, VOLUME, channels, draw.start, PATCH, new Float32Array(patchVoxels * channels)),
        ),
        y: Array.from(cropVolume(labels, VOLUME, 1, draw.start, PATCH, new Int32Array(patchVoxels))),
      };
    });
    const script = `
import json, sys
import numpy as np
volume, patch, channels, cases = json.load(sys.stdin)
image = (np.arange(np.prod(volume) * channels, dtype=np.float32) * np.float32(0.5) - np.float32(7)).reshape(*volume, channels)
z, y, x = np.meshgrid(*[np.arange(n) for n in volume], indexing='ij')
labels = (z + 2 * y + 3 * x) % 3
spatial = np.array(patch)
valid_start = np.floor_divide(spatial, 2)
valid_end = np.subtract(np.array(volume) + 1, spatial / 2).astype(np.uint16)
ok = True
for c in cases:
    centre = [min(max(v, s), e - 1) for v, s, e in zip(c['centre'], valid_start, valid_end)]
    start = [int(v - s) for v, s in zip(centre, valid_start)]
    sl = tuple(slice(a, a + p) for a, p in zip(start, patch))
    ok &= start == c['start']
    ok &= bool(np.array_equal(image[sl].reshape(-1), np.array(c['x'], dtype=np.float32)))
    ok &= bool(np.array_equal(labels[sl].reshape(-1), np.array(c['y'])))
print('ok' if ok else 'mismatch')
`;
    const child = spawnSync(PYTHON, ['-c', script], {
      input: JSON.stringify([VOLUME, PATCH, channels, cases]),
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('ok');
    // Some crops were clamped, so the check covers MONAI's correction.
    expect(
      cases.some(
        (c) => c.start.join() !== c.centre.map((v, a) => v - Math.floor((PATCH[a] as number) / 2)).join(),
      ),
    ).toBe(true);
  });
});
