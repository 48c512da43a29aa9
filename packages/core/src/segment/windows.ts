// Where sliding windows go and how they are weighted: MONAI's SlidingWindowInferer geometry
// (monai.inferers.utils: _get_scan_interval, dense_patch_slices, compute_importance_map), written again because
// MONAI's cannot be exported with a model (MONAI #6526) and every runtime here needs it without Python.

/** [D, H, W]. */
export type Size3 = readonly [number, number, number];

/** How overlapping windows are combined: a Gaussian importance map (sigma = roi · 0.125) or equal weights. */
export type Blend = 'gaussian' | 'constant';
export const BLENDS: readonly Blend[] = ['gaussian', 'constant'];

/** MONAI's default sigma_scale for Gaussian blending. */
export const SIGMA_SCALE = 0.125;

export interface WindowPlan {
  /** The volume's size. */
  size: Size3;
  roi: Size3;
  /** The size the windows scan: the volume padded to at least the roi on every axis (MONAI pads, then crops). */
  padded: Size3;
  /** Zeros before the volume on each axis (MONAI's symmetric constant padding puts floor(diff / 2) first). */
  padBefore: Size3;
  /** Window starts per axis in padded coordinates; windows are every combination, D slowest, W fastest. */
  starts: readonly [readonly number[], readonly number[], readonly number[]];
  /** Number of windows. */
  count: number;
}

/** The windows MONAI's sliding_window_inference visits for `size`, `roi` and `overlap` (in [0, 1)). */
export function planWindows(size: Size3, roi: Size3, overlap: number): WindowPlan {
  const padded = [0, 1, 2].map((i) => Math.max(size[i] as number, roi[i] as number)) as unknown as Size3;
  const padBefore = [0, 1, 2].map((i) =>
    Math.floor(((padded[i] as number) - (size[i] as number)) / 2),
  ) as unknown as Size3;
  const starts = [0, 1, 2].map((i) => axisStarts(padded[i] as number, roi[i] as number, overlap)) as [
    number[],
    number[],
    number[],
  ];
  return {
    size,
    roi,
    padded,
    padBefore,
    starts,
    count: starts[0].length * starts[1].length * starts[2].length,
  };
}

/** Window starts along one axis of `image` voxels: scan interval, then the last window pulled back inside. */
function axisStarts(image: number, roi: number, overlap: number): number[] {
  // _get_scan_interval: a roi as large as the image takes one step; else int(roi · (1 − overlap)), at least 1.
  const interval = roi === image ? roi : Math.max(1, Math.trunc(roi * (1 - overlap)));
  // dense_patch_slices: the first d with d · interval + roi ≥ image ends the scan.
  let windows = 1;
  while ((windows - 1) * interval + roi < image) windows++;
  const starts: number[] = [];
  for (let d = 0; d < windows; d++) {
    const start = d * interval;
    starts.push(start - Math.max(start + roi - image, 0));
  }
  return starts;
}

/**
 * The per-voxel weight of a window, [D, H, W] row-major: compute_importance_map. Gaussian: the product of three
 * 1-D Gaussians exp(−x² / 2σ²) over x = −(n − 1)/2 … (n − 1)/2, σ = n · 0.125, in float32 as MONAI computes it,
 * then clamped below at max(min, 1e-3) so no voxel has weight 0.
 */
export function importanceMap(roi: Size3, blend: Blend): Float32Array {
  const [d, h, w] = roi;
  const map = new Float32Array(d * h * w);
  if (blend === 'constant') return map.fill(1);
  const [gd, gh, gw] = roi.map(gaussian1d) as [Float32Array, Float32Array, Float32Array];
  let min = Number.POSITIVE_INFINITY;
  for (let z = 0, i = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      const zy = Math.fround((gd[z] as number) * (gh[y] as number));
      for (let x = 0; x < w; x++, i++) {
        const v = Math.fround(zy * (gw[x] as number));
        map[i] = v;
        if (v < min) min = v;
      }
    }
  }
  const floor = Math.max(min, 1e-3);
  for (let i = 0; i < map.length; i++) if ((map[i] as number) < floor) map[i] = floor;
  return map;
}

function gaussian1d(n: number): Float32Array {
  const sigma = n * SIGMA_SCALE;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = Math.fround(i - (n - 1) / 2);
    out[i] = Math.exp(Math.fround(x * x) / Math.fround(-2 * sigma * sigma));
  }
  return out;
}
