// The training config's `augmentation` section. Online augmentation touches the training rows only (never the
// validation rows at the end of the training split, never the test split) and is seeded: an epoch's rows are a
// function of (augmentation seed, epoch), whatever thread or order makes them.
import {
  boolean,
  type Check,
  ConfigError,
  isRecord,
  numberIn,
  oneOf,
  parseSection,
  positiveInt,
  seedInt,
} from '../config-checks.js';

export const AXES = ['x', 'y', 'z'] as const;
export type Axis = (typeof AXES)[number];
/** A rotation plane by the axes it turns: 'xy' turns about z, 'xz' about y, 'yz' about x. */
export const PLANES = ['xy', 'xz', 'yz'] as const;
export type Plane = (typeof PLANES)[number];

/** Fresh rotated copies of the 3D MNIST training originals, made with the dataset's own recipe every epoch. */
export interface RotatedCopiesConfig {
  /**
   * Where a training row's digit comes from: 'mnist-train' + originalRows 'even' means training row 2·i is MNIST
   * train image i (the builder's order; checked against the file before training).
   */
  source: 'mnist-train';
  originalRows: 'even';
  /** Fresh copies of every original per epoch. */
  copiesPerOriginal: number;
  /** Train on the originals too. */
  keepOriginals: boolean;
  /** Train on the file's own rotated copies (the odd rows) too. */
  keepStoredCopies: boolean;
}

export interface VoxelAugmentationConfig {
  /** Mirror along each listed axis, each with `probability`. */
  flip?: { axes: Axis[]; probability: number };
  /** With `probability`, a quarter turn (k = 1, 2 or 3, uniform) in one listed plane (uniform). */
  rotate90?: { planes: Plane[]; probability: number };
  /** With `probability`, angles uniform in ±maxDegrees about each listed axis, trilinear resampling. */
  rotate?: { maxDegrees: number; axes: Axis[]; probability: number };
  /** With `probability`, whole-voxel shifts uniform in [−max, max] along each axis, zeros shifted in. */
  shift?: { max: number; probability: number };
  /** Additive N(0, std) on occupied voxels (or all, with occupiedOnly false), clamped at 0. */
  intensityNoise?: { std: number; occupiedOnly: boolean };
}

export interface AugmentationConfig {
  seed: number;
  rotatedCopies?: RotatedCopiesConfig;
  voxel?: VoxelAugmentationConfig;
}

const listOf =
  (values: readonly string[]): Check =>
  (v) =>
    Array.isArray(v) && v.length > 0 && new Set(v).size === v.length && v.every((x) => values.includes(x))
      ? undefined
      : `a non-empty list of distinct values from ${values.map((x) => JSON.stringify(x)).join(', ')}`;
const probability = numberIn(0, 1);
const object: Check = (v) => (isRecord(v) ? undefined : 'an object');

function parseVoxel(where: string, raw: unknown): VoxelAugmentationConfig {
  const parts = parseSection<Record<string, unknown>>(
    where,
    raw,
    { flip: object, rotate90: object, rotate: object, shift: object, intensityNoise: object },
    [],
    {},
  );
  const out: VoxelAugmentationConfig = {};
  if (parts.flip !== undefined) {
    out.flip = parseSection(`${where}.flip`, parts.flip, { axes: listOf(AXES), probability }, ['axes'], {
      probability: 0.5,
    });
  }
  if (parts.rotate90 !== undefined) {
    out.rotate90 = parseSection(
      `${where}.rotate90`,
      parts.rotate90,
      { planes: listOf(PLANES), probability },
      ['planes'],
      { probability: 0.5 },
    );
  }
  if (parts.rotate !== undefined) {
    out.rotate = parseSection(
      `${where}.rotate`,
      parts.rotate,
      { maxDegrees: numberIn(0, 45, { loOpen: true }), axes: listOf(AXES), probability },
      ['maxDegrees'],
      { axes: [...AXES], probability: 1 },
    );
  }
  if (parts.shift !== undefined) {
    out.shift = parseSection(
      `${where}.shift`,
      parts.shift,
      {
        max: (v) =>
          Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 8
            ? undefined
            : 'an integer in [1, 8]',
        probability,
      },
      ['max'],
      { probability: 1 },
    );
  }
  if (parts.intensityNoise !== undefined) {
    out.intensityNoise = parseSection(
      `${where}.intensityNoise`,
      parts.intensityNoise,
      { std: numberIn(0, 1, { loOpen: true }), occupiedOnly: boolean },
      ['std'],
      { occupiedOnly: true },
    );
  }
  if (Object.keys(out).length === 0) throw new ConfigError(`${where}: names no augmentation`);
  return out;
}

/** Validates the `augmentation` section; `runSeed` is the default seed. */
export function parseAugmentation(source: string, raw: unknown, runSeed: number): AugmentationConfig {
  const where = `${source}: augmentation`;
  const top = parseSection<Record<string, unknown>>(
    where,
    raw,
    { seed: seedInt, rotatedCopies: object, voxel: object },
    [],
    {},
  );
  const out: AugmentationConfig = { seed: (top.seed as number | undefined) ?? runSeed };
  if (top.rotatedCopies !== undefined) {
    const rc = parseSection<RotatedCopiesConfig>(
      `${where}.rotatedCopies`,
      top.rotatedCopies,
      {
        source: oneOf(['mnist-train']),
        originalRows: oneOf(['even']),
        copiesPerOriginal: positiveInt,
        keepOriginals: boolean,
        keepStoredCopies: boolean,
      },
      ['source', 'originalRows'],
      { copiesPerOriginal: 1, keepOriginals: true, keepStoredCopies: false } as RotatedCopiesConfig,
    );
    out.rotatedCopies = rc;
  }
  if (top.voxel !== undefined) out.voxel = parseVoxel(`${where}.voxel`, top.voxel);
  if (!out.rotatedCopies && !out.voxel) {
    throw new ConfigError(`${where}: names no augmentation (expected 'rotatedCopies' and/or 'voxel')`);
  }
  return out;
}
