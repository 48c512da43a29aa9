// The work behind one streamed batch, the same on the worker thread and in-process: read the rows at the given
// indices, then preprocess them. The rows come in the stored dtype (float64 stays float64) and go through the same
// preprocessBatch as the in-memory path, so both give the model the same float32 bits.
import { type ModelContract, preprocessBatch } from '@conv3d/core';
import type { Split, SplitData } from '@conv3d/data';

/** A batch ready for the model: preprocessed NDHWC inputs and labels. */
export interface PreparedBatch {
  inputs: Float32Array;
  y: Int32Array;
  count: number;
}

export interface RowSource {
  readAt(split: Split, indices: ArrayLike<number>): SplitData;
}

export function prepareBatch(
  source: RowSource,
  contract: ModelContract,
  split: Split,
  indices: ArrayLike<number>,
): PreparedBatch {
  const rows = source.readAt(split, indices);
  return { inputs: preprocessBatch(contract, rows.x, rows.count), y: rows.y, count: rows.count };
}
