// The `segmentation` section of a config: the training patch and how its random crops are drawn (MONAI's
// RandCropByPosNegLabeld pos / neg / num_samples), the flips that move image and labels together, class weights for
// the cross-entropy and whether Dice counts the background.
import { type Check, ConfigError, checkFields, isRecord } from '../config-checks.js';

export type FlipAxis = 'x' | 'y' | 'z';

export interface SegmentationConfig {
  /** [D, H, W] of the training patch (the contract's grid); absent or the data's grid: whole volumes. */
  patch?: [number, number, number];
  /** Relative weight of crops centred on a foreground voxel (label > 0); default 1. */
  pos: number;
  /** Relative weight of crops centred on a background voxel; default 1. */
  neg: number;
  /** Crops cut from each volume of a batch; default 1. */
  numSamples: number;
  /** Axes each training volume is mirrored along with probability 1/2 (image and labels together). */
  flip: FlipAxis[];
  /** Per-class weights of the cross-entropy (torch's CrossEntropyLoss `weight`); absent: all 1. */
  classWeights?: number[];
  /** Whether the Dice loss includes class 0 (MONAI's DiceLoss include_background, default true). */
  includeBackground: boolean;
}

const patch: Check = (v) =>
  Array.isArray(v) && v.length === 3 && v.every((n) => Number.isInteger(n) && n >= 1)
    ? undefined
    : 'an array of 3 positive integers [D, H, W]';
const flip: Check = (v) =>
  Array.isArray(v) && v.every((a) => a === 'x' || a === 'y' || a === 'z') && new Set(v).size === v.length
    ? undefined
    : 'an array of distinct axes "x", "y", "z"';
const weights: Check = (v) =>
  Array.isArray(v) && v.length >= 2 && v.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0)
    ? undefined
    : 'an array of positive numbers, one per class';

const weight: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a number ≥ 0';

export function parseSegmentation(source: string, raw: unknown): SegmentationConfig {
  const where = `${source}: segmentation`;
  if (!isRecord(raw)) throw new ConfigError(`${where}: expected an object`);
  checkFields(
    where,
    raw,
    {
      patch,
      flip,
      classWeights: weights,
      includeBackground: (v) => (typeof v === 'boolean' ? undefined : 'true or false'),
      pos: weight,
      neg: weight,
      numSamples: (v) => (Number.isInteger(v) && (v as number) >= 1 ? undefined : 'a positive integer'),
    },
    [],
  );
  const { pos = 1, neg = 1 } = raw as { pos?: number; neg?: number };
  if (pos + neg === 0)
    throw new ConfigError(`${where}: pos and neg are both 0; at least one must be positive`);
  return {
    pos: 1,
    neg: 1,
    numSamples: 1,
    flip: [],
    includeBackground: true,
    ...(raw as Partial<SegmentationConfig>),
  };
}
