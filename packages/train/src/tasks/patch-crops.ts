// Random training patches balanced between foreground and background, as MONAI's RandCropByPosNegLabeld draws
// them: a crop centre is a foreground voxel (label > 0) with probability pos / (pos + neg), else a background
// voxel, then clamped so the crop lies inside the volume (MONAI's correct_crop_centers). Written here because no
// JavaScript library crops label-balanced 3D patches.
import type { Rng } from '@conv3d/core';

/** [D, H, W]. */
export type Size3 = readonly [number, number, number];

/** MONAI's pos / neg: the relative weights of foreground and background crop centres. */
export interface PosNeg {
  pos: number;
  neg: number;
}

export interface CropDraw {
  /** The drawn voxel [z, y, x] (foreground or background), before clamping. */
  centre: [number, number, number];
  /** The crop's first voxel [z, y, x]: every crop lies inside the volume. */
  start: [number, number, number];
  /** Whether the centre was drawn from the foreground. */
  foreground: boolean;
}

/**
 * Draws one crop of `patch` from a label volume of `volume` ([D, H, W], row-major). With no foreground voxel
 * the centre is background, and the other way round, as MONAI falls back.
 */
export function drawCrop(labels: Int32Array, volume: Size3, patch: Size3, ratio: PosNeg, rng: Rng): CropDraw {
  const voxels = volume[0] * volume[1] * volume[2];
  let fg = 0;
  for (let i = 0; i < voxels; i++) if ((labels[i] as number) > 0) fg++;
  const wantForeground = rng.next() < ratio.pos / (ratio.pos + ratio.neg);
  const foreground = fg === 0 ? false : fg === voxels ? true : wantForeground;
  // The k-th voxel of the chosen kind, k uniform: no index list is kept per volume.
  let k = Math.floor(rng.next() * (foreground ? fg : voxels - fg));
  let index = 0;
  for (; index < voxels; index++) {
    if ((labels[index] as number) > 0 === foreground && k-- === 0) break;
  }
  const plane = volume[1] * volume[2];
  const centre: [number, number, number] = [
    Math.floor(index / plane),
    Math.floor(index / volume[2]) % volume[1],
    index % volume[2],
  ];
  const start = centre.map((c, a) => {
    const half = Math.floor((patch[a] as number) / 2);
    return Math.min(Math.max(c, half), (volume[a] as number) - (patch[a] as number) + half) - half;
  }) as [number, number, number];
  return { centre, start, foreground };
}

/** Copies the `patch` at `start` of a row-major [D, H, W, channels] volume into `dst` (patch-sized). */
export function cropVolume<T extends Float32Array | Int32Array>(
  src: T,
  volume: Size3,
  channels: number,
  start: Size3,
  patch: Size3,
  dst: T,
): T {
  const row = patch[2] * channels;
  for (let z = 0; z < patch[0]; z++) {
    for (let y = 0; y < patch[1]; y++) {
      const from = (((start[0] + z) * volume[1] + start[1] + y) * volume[2] + start[2]) * channels;
      dst.set(src.subarray(from, from + row), (z * patch[1] + y) * row);
    }
  }
  return dst;
}
