// Raw predict inputs copied into a batch: the one copy a request's rows make on the main thread.
import type { ClassifierInput } from '@conv3d/core';

/**
 * How many raw rows `input` holds, when the pool can coalesce it: a Float32Array or Float64Array, or a number[]
 * of whole rows, or an array of such rows. Anything else (a tensor, a wrong length, a non-number) returns
 * undefined: the worker's classifier then gets it as is and rejects it with the in-thread path's own message.
 * Finite values are checked there too, once per batch, so a bad request is retried alone (see pool.ts).
 */
/** `rowLength`: values in one raw row, the contract's rawLength (3D MNIST: 4096). */
export function rowCount(input: ClassifierInput, rowLength: number): number | undefined {
  if (input instanceof Float32Array || input instanceof Float64Array)
    return wholeRows(input.length, rowLength);
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (typeof input[0] === 'number') {
    const flat = input as readonly unknown[];
    return wholeRows(flat.length, rowLength) !== undefined && flat.every((v) => typeof v === 'number')
      ? flat.length / rowLength
      : undefined;
  }
  const rows = input as readonly unknown[];
  const ok = rows.every(
    (row) =>
      ((row instanceof Float32Array || row instanceof Float64Array) && row.length === rowLength) ||
      (Array.isArray(row) && row.length === rowLength && row.every((v) => typeof v === 'number')),
  );
  return ok ? rows.length : undefined;
}

function wholeRows(length: number, rowLength: number): number | undefined {
  return length > 0 && length % rowLength === 0 ? length / rowLength : undefined;
}

/** Copies the rows of an input `rowCount` accepted into `out` from row `at`. */
export function copyRows(input: ClassifierInput, out: Float64Array, at: number, rowLength: number): void {
  const offset = at * rowLength;
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
    out.set(row, offset + i * rowLength);
  });
}
