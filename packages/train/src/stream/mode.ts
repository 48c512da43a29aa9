// Whether a run streams its batches from the file or holds the training rows in memory. Both give the same bits
// (stream/prepare.ts), so the choice is about memory and speed only: in memory while the rows fit comfortably,
// streamed above that, or as asked with --stream / --no-stream.

import type { TrainingData } from '../batches.js';
import { ConfigError } from '../config.js';

/** Training rows above this many bytes in memory (stored dtype: float64 as 8 bytes, the rest as float32) stream. */
export const STREAM_ABOVE_BYTES = 2 ** 30;

export interface LoadingChoice {
  stream: boolean;
  reason: string;
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

export function chooseLoading(
  asked: boolean | undefined,
  ds: TrainingData,
  trainRows: number,
  rowLength: number,
  augmented: boolean,
): LoadingChoice {
  if (asked === false) return { stream: false, reason: 'asked (--no-stream)' };
  if (asked === true) {
    if (augmented) {
      throw new ConfigError(
        '--stream: online augmentation reads the training rows into memory (its worker shares them); drop --stream or the augmentation',
      );
    }
    if (!ds.readAt) throw new ConfigError(`--stream: ${ds.path} cannot be read row by row`);
    return { stream: true, reason: 'asked (--stream)' };
  }
  if (augmented) return { stream: false, reason: 'online augmentation holds the training rows in memory' };
  if (!ds.readAt || !ds.info) return { stream: false, reason: 'data given in memory' };
  const bytes = trainRows * rowLength * (ds.info('train').xDtype === 'float64' ? 8 : 4);
  return bytes > STREAM_ABOVE_BYTES
    ? {
        stream: true,
        reason: `the training rows would take ${gib(bytes)} in memory, above ${gib(STREAM_ABOVE_BYTES)}`,
      }
    : {
        stream: false,
        reason: `the training rows take ${gib(bytes)} in memory, at most ${gib(STREAM_ABOVE_BYTES)}`,
      };
}
