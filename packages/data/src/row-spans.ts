// Plans the reads behind a batch of scattered rows (a global shuffle picks 64–100 rows anywhere in the file): one
// HDF5 read per call costs ~50 µs however small, so rows are sorted and read as few spans as possible. A chunked
// (and so possibly compressed) dataset is read at most once per chunk per batch: HDF5 decompresses a whole chunk
// for any row in it, and chunks larger than its 1 MiB cache would be decompressed again for every row.

/** Rows [start, end) read in one call; `rows[k]` is the k-th wanted row inside it (sorted, unique). */
export interface RowSpan {
  start: number;
  end: number;
  rows: number[];
}

/** Rows at most this far apart share a read on a contiguous dataset (reading a few extra rows beats a call). */
export const CONTIGUOUS_GAP = 4;

/**
 * Groups the distinct rows of `indices` into spans: on a contiguous dataset (`chunkRows` undefined) runs whose
 * gaps are at most CONTIGUOUS_GAP rows, on a chunked one one span per chunk touched (rows first to last wanted).
 */
export function planSpans(indices: ArrayLike<number>, chunkRows: number | undefined): RowSpan[] {
  const sorted = Array.from(new Set(Array.from(indices))).sort((a, b) => a - b);
  const spans: RowSpan[] = [];
  let current: RowSpan | undefined;
  for (const row of sorted) {
    const joins =
      current !== undefined &&
      (chunkRows === undefined
        ? row - current.end <= CONTIGUOUS_GAP
        : Math.floor(row / chunkRows) === Math.floor(current.start / chunkRows));
    if (current && joins) {
      current.end = row + 1;
      current.rows.push(row);
    } else {
      current = { start: row, end: row + 1, rows: [row] };
      spans.push(current);
    }
  }
  return spans;
}
