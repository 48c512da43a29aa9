// Raw predict inputs copied into a batch: the one copy a request's rows make on the main thread.
import type { ClassifierInput } from '@conv3d/data/classifier';
import { VOXELS } from '@conv3d/data/contract';

/** Values in one raw row the model takes (the contract's grid × raw channels; 3D MNIST: 4096). */
export const ROW_LENGTH = VOXELS;

/**
 * How many raw rows `input` holds, when the pool can coalesce it: a Float32Array or Float64Array, or a number[]
 * of whole rows, or an array of such rows. Anything else (a tensor, a wrong length, a non-number) returns
 * undefined: the worker's classifier then gets it as is and rejects it with the in-thread path's own message.
 * Finite values are checked there too, once per batch, so a bad request is retried alone (see pool.ts).
 */
export function rowCount(input: ClassifierInput): number | undefined {
  if (input instanceof Float32Array || input instanceof Float64Array) return wholeRows(input.length);
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (typeof input[0] === 'number') {
    const flat = input as readonly unknown[];
    return wholeRows(flat.length) !== undefined && flat.every((v) => typeof v === 'number')
      ? flat.length / ROW_LENGTH
      : undefined;
  }
  const rows = input as readonly unknown[];
  const ok = rows.every(
    (row) =>
      ((row instanceof Float32Array || row instanceof Float64Array) && row.length === ROW_LENGTH) ||
      (Array.isArray(row) && row.length === ROW_LENGTH && row.every((v) => typeof v === 'number')),
  );
  return ok ? rows.length : undefined;
}

function wholeRows(length: number): number | undefined {
  return length > 0 && length % ROW_LENGTH === 0 ? length / ROW_LENGTH : undefined;
}

/** Copies the rows of an input `rowCount` accepted into `out` from row `at`. */
export function copyRows(input: ClassifierInput, out: Float64Array, at: number): void {
  const offset = at * ROW_LENGTH;
  if (input instanceof Float32Array || input instanceof Float64Array) {
    out.set(input, offset);
    return;
  }
  const array = input as readonly unknown[];
  if (typeof array[0] === 'number') {
    out.set(array as readonly number[], offset);
    return;
  }
  (array as readonly ArrayLike<number>[]).forEach((row, i) => {
    out.set(row, offset + i * ROW_LENGTH);
  });
}
