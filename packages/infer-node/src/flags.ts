// Flags conv3d-predict parses the same way for HDF5 sets and NIfTI scans.
import { BLENDS, type Blend, type Size3 } from '@conv3d/core';
import { UsageError } from '@conv3d/core/node';

export const SEGMENT_FLAG_OPTIONS = {
  batch: { type: 'string' },
  roi: { type: 'string' },
  overlap: { type: 'string' },
  blend: { type: 'string' },
  out: { type: 'string' },
} as const;

/** The sliding-window flags given, parsed (absent ones left out). */
export function windowFlags(values: {
  roi?: string | undefined;
  overlap?: string | undefined;
  blend?: string | undefined;
}): { roi?: Size3; overlap?: number; blend?: Blend } {
  return {
    ...(values.roi !== undefined && { roi: roiFlag(values.roi) }),
    ...(values.overlap !== undefined && { overlap: overlapFlag(values.overlap) }),
    ...(values.blend !== undefined && { blend: blendFlag(values.blend) }),
  };
}

function roiFlag(text: string): Size3 {
  const parts = text.split(',').map(Number);
  if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n > 0)) {
    throw new UsageError(`--roi must be D,H,W (3 positive integers), got '${text}'`);
  }
  return parts as unknown as Size3;
}

function overlapFlag(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0 && n < 1))
    throw new UsageError(`--overlap must be a number in [0, 1), got '${text}'`);
  return n;
}

function blendFlag(text: string): Blend {
  if (!BLENDS.includes(text as Blend))
    throw new UsageError(`--blend must be one of ${BLENDS.join(', ')}, got '${text}'`);
  return text as Blend;
}

export function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}
