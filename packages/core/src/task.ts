// What a model does with a volume, and how a scan is prepared before it: the contract fields added in version 3.
// Kept apart from contract.ts so the classifier-only path stays as it was (a classifier with no preparation is
// still written as version 2, byte for byte).

/** 'classify': one probability vector per volume; 'segment': one class per voxel. */
export type Task = 'classify' | 'segment';
export const TASKS: readonly Task[] = ['classify', 'segment'];

/** What a segmenter's output holds per voxel: K softmax probabilities, or K logits (argmax still gives labels). */
export type VoxelOutput = 'probabilities' | 'logits';
export const VOXEL_OUTPUTS: readonly VoxelOutput[] = ['probabilities', 'logits'];

/**
 * A segmenter's output: `[N, D, H, W, K]` float32, channels last (K = labels, background included), on the same
 * voxel grid as the input. `freeSize`: the graph's D, H, W are symbolic, so any volume size runs at once; else the
 * graph takes the training patch (`grid`) only and larger volumes go through sliding windows.
 */
export interface SegmentationSpec {
  output: VoxelOutput;
  freeSize: boolean;
}

/**
 * The three NIfTI axis codes of the array a model was trained on, i, j, k = W, H, D of a volume row (x fastest):
 * one of L/R, one of P/A, one of I/S, as nibabel's `aff2axcodes` spells them ('RAS' is nibabel's
 * `as_closest_canonical`); or 'stored': the array as the file stores it, never reoriented.
 */
export type Orientation = string;

/** The intensity step applied to a prepared scan, before the contract's preprocessing (MONAI's transforms). */
export type IntensitySpec =
  | { kind: 'none' }
  /** Per volume to [0, 1] (ScaleIntensity). */
  | { kind: 'minmax' }
  /** Per volume (x − mean) / std, over the nonzero voxels when `nonzero` (NormalizeIntensity). */
  | { kind: 'zscore'; nonzero: boolean }
  /** [aMin, aMax] → [bMin, bMax] linearly, clipped when `clip` (ScaleIntensityRange, a CT window). */
  | { kind: 'window'; aMin: number; aMax: number; bMin: number; bMax: number; clip: boolean };

export const INTENSITY_KINDS = ['none', 'minmax', 'zscore', 'window'] as const;

/** How a scan becomes the model's volume: orientation, then spacing, then intensity (each an explicit step). */
export interface VolumePreparation {
  orientation: Orientation;
  /** Voxel spacing in mm along i, j, k after resampling; absent: the scan's own spacing, no resampling. */
  spacing?: readonly [number, number, number];
  intensity: IntensitySpec;
}

const AXIS_PAIRS = ['LR', 'PA', 'IS'] as const;

/** True for 'stored' or three axis letters naming each of the L/R, P/A and I/S axes once. */
export function isOrientation(value: unknown): value is Orientation {
  if (value === 'stored') return true;
  if (typeof value !== 'string' || !/^[LRPAIS]{3}$/.test(value)) return false;
  return AXIS_PAIRS.every((pair) => [...value].filter((c) => pair.includes(c)).length === 1);
}

/** Why `value` is not a VolumePreparation (a phrase for a one-line error), or undefined when it is one. */
export function preparationProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
  const p = value as Record<string, unknown>;
  const known = new Set(['orientation', 'spacing', 'intensity']);
  const extra = Object.keys(p).find((k) => !known.has(k));
  if (extra !== undefined) return `has an unknown field '${extra}'`;
  if (!isOrientation(p.orientation)) {
    return `'orientation' must be 'stored' or 3 axis codes (one of L/R, P/A, I/S each, e.g. 'RAS'), got ${JSON.stringify(p.orientation)}`;
  }
  const { spacing } = p;
  if (
    spacing !== undefined &&
    !(
      Array.isArray(spacing) &&
      spacing.length === 3 &&
      spacing.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)
    )
  ) {
    return `'spacing' must be 3 positive numbers (mm along i, j, k), got ${JSON.stringify(spacing)}`;
  }
  return intensityProblem(p.intensity);
}

function intensityProblem(value: unknown): string | undefined {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || !(INTENSITY_KINDS as readonly unknown[]).includes(v.kind)) {
    return `'intensity.kind' must be one of ${INTENSITY_KINDS.join(', ')}, got ${JSON.stringify(v?.kind ?? value)}`;
  }
  const fields: Record<string, string> = {
    none: '',
    minmax: '',
    zscore: 'nonzero:boolean',
    window: 'aMin:number aMax:number bMin:number bMax:number clip:boolean',
  };
  const wanted = (fields[v.kind as string] as string).split(' ').filter(Boolean);
  for (const spec of wanted) {
    const [name, type] = spec.split(':') as [string, string];
    const field = v[name];
    const ok =
      type === 'number' ? typeof field === 'number' && Number.isFinite(field) : typeof field === type;
    if (!ok)
      return `'intensity.${name}' must be a ${type} for kind '${v.kind}', got ${JSON.stringify(field)}`;
  }
  const extra = Object.keys(v).find((k) => k !== 'kind' && !wanted.some((s) => s.startsWith(`${k}:`)));
  if (extra !== undefined) return `'intensity' has an unknown field '${extra}' for kind '${v.kind}'`;
  if (v.kind === 'window' && !((v.aMax as number) > (v.aMin as number))) {
    return `'intensity' window needs aMax > aMin, got [${v.aMin}, ${v.aMax}]`;
  }
  return undefined;
}

/** The preparation of models trained here on scans: canonical RAS+, the scan's spacing, no intensity step. */
export const DEFAULT_PREPARATION: VolumePreparation = Object.freeze({
  orientation: 'RAS',
  intensity: Object.freeze({ kind: 'none' }),
});
