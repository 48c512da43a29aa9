// Reads any HDF5 file with the Kaggle 3D MNIST layout (X_train/y_train/X_test/y_test): float32 or float64 voxels,
// int32 or int64 labels, compressed or not. Slices are read on demand, so memory stays flat however large the file.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Dataset, File } from 'h5wasm/node';
import { DataError } from './errors.js';
import { h5Module, h5Reason, loadH5 } from './h5.js';
import { datasetNames, NUM_CLASSES, ROW_LENGTH, SPLITS, type Split } from './layout.js';

export type { Split } from './layout.js';

/** Rows `[start, start + count)` of one split. `x` is raw (dtype as stored), row-major `count × 4096`. */
export interface SplitData {
  x: Float32Array | Float64Array;
  y: Int32Array;
  count: number;
}

export interface BatchRange {
  start?: number;
  end?: number;
  /**
   * Reuse one x/y buffer for every batch (each batch overwrites the last; copy what you keep). Saves allocating,
   * and the page faults of touching, fresh memory for every batch: most of the time of a pass over a file.
   */
  reuse?: boolean;
}

/** What a split holds, as stored. */
export interface SplitInfo {
  rows: number;
  xDtype: 'float32' | 'float64';
  yDtype: 'int32' | 'int64';
  /** HDF5 filters on X, e.g. 'deflate(4)', or 'none'. */
  compression: string;
  /** Rows per label 0–9. */
  labelCounts: number[];
}

export interface Dataset3D {
  readonly path: string;
  count(split: Split): number;
  info(split: Split): SplitInfo;
  /** Reads rows `[start, start + count)` (default: the whole split), checking every value. */
  read(split: Split, start?: number, count?: number): SplitData;
  /** Consecutive slices of at most `batchSize` rows over `[range.start, range.end)`; the last may be shorter. */
  batches(split: Split, batchSize: number, range?: BatchRange): Iterable<SplitData>;
  close(): void;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

interface SplitHandles {
  x: Dataset;
  y: Dataset;
  rows: number;
  labels: Int32Array;
}

/** Opens and checks a 3D MNIST HDF5 file. Throws a one-line DataError naming the file and dataset at fault. */
export async function openDataset(path: string): Promise<Dataset3D> {
  checkSignature(path);
  const h5 = await loadH5();
  let file: File;
  try {
    file = new h5.File(path, 'r');
  } catch (error) {
    const reason = h5Reason(error);
    const hint = /truncat/i.test(reason) ? '' : ' (truncated or corrupt?)';
    throw new DataError(`${path}: cannot open HDF5 file: ${reason}${hint}`);
  }
  try {
    const splits = new Map<Split, SplitHandles>();
    for (const split of SPLITS) splits.set(split, openSplit(file, path, split, h5.Dataset));
    return new H5Dataset3D(path, file, splits);
  } catch (error) {
    file.close();
    throw error;
  }
}

function checkSignature(path: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new DataError(`${path}: not a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${path}: file not found`);
  }
  // HDF5 looks for its signature at 0, 512, 1024, 2048, ... (a user block may come first).
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(HDF5_SIGNATURE.length);
    for (let offset = 0; offset + head.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      readSync(fd, head, 0, head.length, offset);
      if (head.equals(HDF5_SIGNATURE)) return;
    }
  } finally {
    closeSync(fd);
  }
  throw new DataError(`${path}: not an HDF5 file (no HDF5 signature)`);
}

function openSplit(file: File, path: string, split: Split, DatasetClass: typeof Dataset): SplitHandles {
  const names = datasetNames(split);
  const x = getDataset(file, path, names.x, DatasetClass);
  const y = getDataset(file, path, names.y, DatasetClass);
  const xm = x.metadata;
  const ym = y.metadata;
  if (xm.type !== H5T_FLOAT || (xm.size !== 4 && xm.size !== 8) || !xm.littleEndian) {
    throw new DataError(`${path}: dataset '${names.x}' has dtype ${x.dtype}, expected float32 or float64`);
  }
  if (ym.type !== H5T_INTEGER || (ym.size !== 4 && ym.size !== 8) || !ym.signed || !ym.littleEndian) {
    throw new DataError(`${path}: dataset '${names.y}' has dtype ${y.dtype}, expected int32 or int64`);
  }
  const xs = xm.shape ?? [];
  const ys = ym.shape ?? [];
  if (xs.length !== 2 || xs[1] !== ROW_LENGTH) {
    throw new DataError(
      `${path}: dataset '${names.x}' has shape (${xs.join(',')}), expected (N,${ROW_LENGTH})`,
    );
  }
  if (ys.length !== 1) {
    throw new DataError(`${path}: dataset '${names.y}' has shape (${ys.join(',')}), expected (N,)`);
  }
  const rows = xs[0] ?? 0;
  if (ys[0] !== rows) {
    throw new DataError(
      `${path}: dataset '${names.y}' has ${ys[0]} labels but '${names.x}' has ${rows} rows`,
    );
  }
  const labels = toInt32(readSlice(y, path, names.y, 0, rows));
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (!(label >= 0 && label < NUM_CLASSES)) {
      throw new DataError(
        `${path}: dataset '${names.y}' row ${i} holds label ${label}, expected 0–${NUM_CLASSES - 1}`,
      );
    }
  }
  return { x, y, rows, labels };
}

function getDataset(file: File, path: string, name: string, DatasetClass: typeof Dataset): Dataset {
  let entity: unknown;
  try {
    entity = file.get(name);
  } catch (error) {
    throw new DataError(`${path}: cannot read dataset '${name}' (${h5Reason(error)})`);
  }
  if (entity === null || entity === undefined) {
    throw new DataError(
      `${path}: dataset '${name}' is missing (found: ${file.keys().join(', ') || 'nothing'})`,
    );
  }
  if (!(entity instanceof DatasetClass)) throw new DataError(`${path}: '${name}' is not a dataset`);
  return entity;
}

function readSlice(dataset: Dataset, path: string, name: string, start: number, end: number): unknown {
  try {
    return dataset.slice([[start, end]]);
  } catch (error) {
    throw new DataError(
      `${path}: cannot read rows ${start}–${end - 1} of dataset '${name}' (${h5Reason(error)}); is the file truncated?`,
    );
  }
}

function toInt32(values: unknown): Int32Array {
  if (values instanceof Int32Array) return values;
  if (values instanceof BigInt64Array) {
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as bigint;
      // Out-of-range int64 labels become -1, which the label check reports.
      out[i] = v >= 0n && v < 2147483648n ? Number(v) : -1;
    }
    return out;
  }
  throw new TypeError('unexpected label array type');
}

class H5Dataset3D implements Dataset3D {
  constructor(
    readonly path: string,
    private readonly file: File,
    private readonly splits: Map<Split, SplitHandles>,
  ) {}

  count(split: Split): number {
    return this.handles(split).rows;
  }

  info(split: Split): SplitInfo {
    const h = this.handles(split);
    const labelCounts = new Array<number>(NUM_CLASSES).fill(0);
    for (const label of h.labels) labelCounts[label] = (labelCounts[label] as number) + 1;
    const filters = h.x.filters.map((f) => `${f.name}(${f.cd_values.join(',')})`);
    return {
      rows: h.rows,
      xDtype: h.x.metadata.size === 4 ? 'float32' : 'float64',
      yDtype: h.y.metadata.size === 4 ? 'int32' : 'int64',
      compression: filters.length > 0 ? filters.join(' + ') : 'none',
      labelCounts,
    };
  }

  read(split: Split, start = 0, count?: number): SplitData {
    const h = this.handles(split);
    const n = count ?? h.rows - start;
    return this.readRows(split, h, start, n, undefined);
  }

  *batches(split: Split, batchSize: number, range: BatchRange = {}): Iterable<SplitData> {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    }
    const h = this.handles(split);
    const start = range.start ?? 0;
    const end = range.end ?? h.rows;
    const size = Math.min(batchSize, Math.max(0, end - start));
    const reused = range.reuse ? newBuffers(h, size) : undefined;
    for (let s = start; s < end; s += batchSize) {
      yield this.readRows(split, h, s, Math.min(batchSize, end - s), reused);
    }
  }

  private readRows(
    split: Split,
    h: SplitHandles,
    start: number,
    n: number,
    into: Buffers | undefined,
  ): SplitData {
    const { x: name } = datasetNames(split);
    if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > h.rows) {
      throw new DataError(`${this.path}: rows ${start}..${start + n} are outside '${name}' (0..${h.rows})`);
    }
    const buffers = into ?? newBuffers(h, n);
    const x = buffers.x.subarray(0, n * ROW_LENGTH);
    readHyperslab(h.x, this.path, name, start, n, x);
    checkVoxels(x, this.path, name, start);
    const y = buffers.y.subarray(0, n);
    y.set(h.labels.subarray(start, start + n));
    return { x, y, count: n };
  }

  close(): void {
    this.file.close();
  }

  private handles(split: Split): SplitHandles {
    const h = this.splits.get(split);
    if (!h) throw new DataError(`${this.path}: unknown split '${String(split)}', expected train or test`);
    return h;
  }
}

interface Buffers {
  x: Float32Array | Float64Array;
  y: Int32Array;
}

function newBuffers(h: SplitHandles, rows: number): Buffers {
  const values = rows * ROW_LENGTH;
  return {
    x: h.x.metadata.size === 4 ? new Float32Array(values) : new Float64Array(values),
    y: new Int32Array(rows),
  };
}

/**
 * Reads rows [start, start + n) of X into `out` through one wasm buffer, copied once (h5wasm's own slice() copies
 * into a fresh array, which this would then copy again).
 */
function readHyperslab(
  dataset: Dataset,
  path: string,
  name: string,
  start: number,
  n: number,
  out: Float32Array | Float64Array,
): void {
  if (n === 0) return;
  const module = h5Module();
  const bytes = out.byteLength;
  const ptr = module._malloc(bytes);
  if (!ptr)
    throw new DataError(
      `${path}: cannot read rows ${start}–${start + n - 1} of '${name}': out of wasm memory`,
    );
  try {
    module.get_dataset_data(
      dataset.file_id,
      dataset.path,
      [BigInt(n), BigInt(ROW_LENGTH)],
      [BigInt(start), 0n],
      [1n, 1n],
      BigInt(ptr),
    );
    const heap = module.HEAPU8.buffer;
    out.set(
      out instanceof Float32Array
        ? new Float32Array(heap, ptr, out.length)
        : new Float64Array(heap, ptr, out.length),
    );
  } catch (error) {
    throw new DataError(
      `${path}: cannot read rows ${start}–${start + n - 1} of dataset '${name}' (${h5Reason(error)}); is the file truncated?`,
    );
  } finally {
    module._free(ptr);
  }
}

function checkVoxels(x: Float32Array | Float64Array, path: string, name: string, firstRow: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    // Written so that NaN fails too.
    if (!(v >= 0 && v <= 1)) {
      const row = firstRow + Math.floor(i / ROW_LENGTH);
      const what = Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? `${v}` : `${v} (infinite)`;
      throw new DataError(
        `${path}: dataset '${name}' row ${row} voxel ${i % ROW_LENGTH} is ${what}, expected finite values in [0, 1]`,
      );
    }
  }
}
