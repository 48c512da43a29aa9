// The voxel grid of X: from its shape ((N, D, H, W) or (N, D, H, W, C)), or for flat rows (N, V) from a given
// grid, a `grid` attribute, or V being a cube. Every source present must agree.

/** A grid as given: [D, H, W] or [D, H, W, C]. */
export type GridSpec = readonly number[];

export interface GridSource {
  spec: GridSpec;
  /** Where it came from, for errors: "attribute 'grid' of 'X_train'", "the given grid", ... */
  origin: string;
}

export interface SampleLayout {
  grid: [number, number, number];
  channels: number;
}

/** Parses "D,H,W" or "D,H,W,C" (positive integers); undefined when malformed. */
export function parseGridText(text: string): GridSpec | undefined {
  const parts = text
    .trim()
    .replace(/^\[|\]$/g, '')
    .split(',');
  const spec = parts.map((p) => (p.trim() === '' ? Number.NaN : Number(p)));
  return isGridSpec(spec) ? spec : undefined;
}

export function isGridSpec(spec: readonly number[]): boolean {
  return (spec.length === 3 || spec.length === 4) && spec.every((n) => Number.isInteger(n) && n >= 1);
}

/** A grid attribute's value (integer array, or text "D,H,W[,C]") as a spec; undefined when it is neither. */
export function gridFromAttribute(value: unknown): GridSpec | undefined {
  if (typeof value === 'string') return parseGridText(value);
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string')
    return parseGridText(value[0]);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const spec = Array.from(value as unknown as ArrayLike<number | bigint>, Number);
    return isGridSpec(spec) ? spec : undefined;
  }
  if (Array.isArray(value)) {
    const spec = value.map(Number);
    return isGridSpec(spec) ? spec : undefined;
  }
  return undefined;
}

const show = (spec: GridSpec): string => spec.join(',');

/**
 * The per-sample layout of an X dataset of `shape` (batch first). Returns an error text (without the file
 * prefix) when the shape and the grid sources do not fit together.
 */
export function resolveLayout(
  dataset: string,
  shape: readonly number[],
  sources: readonly GridSource[],
): SampleLayout | string {
  const dims = `(${shape.join(',')})`;
  for (const s of sources.slice(1)) {
    const first = sources[0] as GridSource;
    // [D,H,W] and [D,H,W,C] agree when D, H and W do (C then comes from the other or the shape).
    const same = s.spec.every((n, i) => first.spec[i] === undefined || first.spec[i] === n);
    if (!same || s.spec.slice(0, 3).join() !== first.spec.slice(0, 3).join()) {
      return `${first.origin} is ${show(first.spec)} but ${s.origin} is ${show(s.spec)}`;
    }
  }
  // The most specific source: one that also gives C, if any.
  const given = sources.find((s) => s.spec.length === 4) ?? sources[0];
  if (shape.length === 4 || shape.length === 5) {
    const grid: [number, number, number] = [shape[1] ?? 0, shape[2] ?? 0, shape[3] ?? 0];
    const channels = shape.length === 5 ? (shape[4] ?? 0) : 1;
    if (!isGridSpec([...grid, channels])) return `dataset '${dataset}' has shape ${dims}: empty sample axes`;
    if (given) {
      const want = given.spec.length === 4 ? [...grid, channels] : grid;
      if (show(given.spec) !== show(want)) {
        return `dataset '${dataset}' has shape ${dims}, which does not match ${given.origin} ${show(given.spec)}`;
      }
    }
    return { grid, channels };
  }
  if (shape.length !== 2) {
    return `dataset '${dataset}' has shape ${dims}, expected (N,V) rows, (N,D,H,W) or (N,D,H,W,C)`;
  }
  const values = shape[1] ?? 0;
  if (!given) {
    // No grid anywhere: rows of a cube with one channel (Kaggle's 3D MNIST file: 4096 = 16³).
    const side = Math.round(Math.cbrt(values));
    if (values >= 1 && side ** 3 === values) return { grid: [side, side, side], channels: 1 };
    return `dataset '${dataset}' has shape ${dims} and no 'grid' attribute, and ${values} is not a cube: give the grid (--grid D,H,W[,C])`;
  }
  const [d, h, w, c] = given.spec as [number, number, number, number | undefined];
  const voxels = d * h * w;
  const channels = c ?? values / voxels;
  if (!Number.isInteger(channels) || voxels * channels !== values) {
    return `dataset '${dataset}' has ${values} values per row, which ${given.origin} ${show(given.spec)} does not divide`;
  }
  return { grid: [d, h, w], channels };
}
