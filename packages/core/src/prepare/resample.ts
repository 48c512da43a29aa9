// Resampling a volume (i fastest, channel slowest) to another grid over the same extent: trilinear for images
// (MONAI Spacing's default), nearest for labels. Output voxel n sits at input coordinate n·scale along each axis
// (voxel 0 stays in place, as scipy.ndimage.map_coordinates with mode='nearest' reads it: clamped at the edges).

export type Interpolation = 'linear' | 'nearest';

/** Input voxels per output voxel along i, j, k. */
export type Scale = readonly [number, number, number];

/** The output shape and scale for a target spacing: round(n · spacing / target) voxels per axis (at least 1). */
export function gridForSpacing(
  shape: readonly number[],
  spacing: readonly number[],
  target: readonly number[],
): { shape: [number, number, number]; scale: Scale } {
  const out = [0, 1, 2].map((a) =>
    Math.max(1, Math.round(((shape[a] as number) * (spacing[a] as number)) / (target[a] as number))),
  ) as [number, number, number];
  return {
    shape: out,
    scale: [0, 1, 2].map((a) => (target[a] as number) / (spacing[a] as number)) as unknown as Scale,
  };
}

/** The scale for a target shape that keeps the first and last voxel centres in place. */
export function scaleForGrid(shape: readonly number[], target: readonly number[]): Scale {
  return [0, 1, 2].map((a) =>
    (target[a] as number) > 1 ? ((shape[a] as number) - 1) / ((target[a] as number) - 1) : 0,
  ) as unknown as Scale;
}

/** Resamples `src` of `shape` × channels to `outShape` × channels. */
export function resample<T extends Float32Array | Uint8Array | Uint16Array | Int32Array>(
  src: ArrayLike<number>,
  shape: readonly number[],
  outShape: readonly number[],
  scale: Scale,
  mode: Interpolation,
  out: T,
): T {
  const [ni, nj, nk] = shape as [number, number, number];
  const [mi, mj, mk] = outShape as [number, number, number];
  const channels = src.length / (ni * nj * nk);
  const ax = axisTaps(mi, ni, scale[0], mode, 1);
  const ay = axisTaps(mj, nj, scale[1], mode, ni);
  const az = axisTaps(mk, nk, scale[2], mode, ni * nj);
  let w = 0;
  for (let c = 0; c < channels; c++) {
    const base = c * ni * nj * nk;
    for (let z = 0; z < mk; z++) {
      const z0 = az.lo[z] as number;
      const z1 = az.hi[z] as number;
      const fz = az.f[z] as number;
      for (let y = 0; y < mj; y++) {
        const y0 = ay.lo[y] as number;
        const y1 = ay.hi[y] as number;
        const fy = ay.f[y] as number;
        for (let x = 0; x < mi; x++) {
          const x0 = base + (ax.lo[x] as number);
          const x1 = base + (ax.hi[x] as number);
          const fx = ax.f[x] as number;
          if (mode === 'nearest') {
            out[w++] = src[x0 + y0 + z0] as number;
            continue;
          }
          const c00 = lerp(src[x0 + y0 + z0] as number, src[x1 + y0 + z0] as number, fx);
          const c10 = lerp(src[x0 + y1 + z0] as number, src[x1 + y1 + z0] as number, fx);
          const c01 = lerp(src[x0 + y0 + z1] as number, src[x1 + y0 + z1] as number, fx);
          const c11 = lerp(src[x0 + y1 + z1] as number, src[x1 + y1 + z1] as number, fx);
          out[w++] = lerp(lerp(c00, c10, fy), lerp(c01, c11, fy), fz);
        }
      }
    }
  }
  return out;
}

function lerp(a: number, b: number, f: number): number {
  return a + (b - a) * f;
}

// Per output index along one axis: the two neighbouring input offsets (times the axis stride) and the weight of
// the upper one; nearest rounds half up and uses `lo` only.
function axisTaps(m: number, n: number, scale: number, mode: Interpolation, stride: number) {
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  const f = new Float64Array(m);
  for (let o = 0; o < m; o++) {
    const x = Math.min(Math.max(o * scale, 0), n - 1);
    if (mode === 'nearest') {
      lo[o] = Math.min(Math.floor(x + 0.5), n - 1) * stride;
      continue;
    }
    const i0 = Math.min(Math.floor(x), Math.max(n - 2, 0));
    lo[o] = i0 * stride;
    hi[o] = Math.min(i0 + 1, n - 1) * stride;
    f[o] = x - i0;
  }
  return { lo, hi, f };
}
