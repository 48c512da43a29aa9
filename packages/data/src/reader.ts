// Reads any HDF5 file with train and test splits: X as flat rows (N, V), (N, D, H, W) or (N, D, H, W, C) of
// float16/32/64 or (u)int8/16, y as integer labels, one per row (N,) or, for segmentation, one per voxel
// ((N, D, H, W), or (N, D·H·W) beside flat X), compressed or not. Slices are read on demand, so memory stays flat
// however large the file.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { preparationProblem, VOXEL_ORDER, type VolumePreparation } from '@conv3d/core';
import type { Dataset, File } from 'h5wasm/node';
import { type DatasetDescriptor, labelLengthOf, rowLengthOf } from './descriptor.js';
import { DataError } from './errors.js';
import {
  type GridSource,
  type GridSpec,
  gridFromAttribute,
  resolveLayout,
  type SampleLayout,
} from './grid.js';
import { h5Module, h5Reason, loadH5 } from './h5.js';
import {
  type LabelSource,
  labelNamesProblem,
  labelsFromAttribute,
  MAX_CLASSES,
  numberedLabels,
  resolveLabelNames,
} from './label-names.js';
import { SPLITS, type Split } from './layout.js';
import { planSpans } from './row-spans.js';
import {
  BYTES_PER_VALUE,
  decodeInto,
  mayBeNonFinite,
  newRows,
  type Rows,
  type VoxelDtype,
  voxelDtypeOf,
} from './voxel-dtype.js';

export type { Split } from './layout.js';
export type { VoxelDtype } from './voxel-dtype.js';

/**
 * Rows `[start, start + count)` of one split: `x` row-major `count × rowLength` (float64 if stored so, else float32),
 * `y` `count × labelLength` (one label per row, or per voxel for a segmentation set).
 */
export interface SplitData {
  x: Rows;
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

/** HDF5 dataset names of the two splits. */
export interface DatasetNames {
  xTrain: string;
  yTrain: string;
  xTest: string;
  yTest: string;
}

export const DEFAULT_DATASET_NAMES: Readonly<DatasetNames> = {
  xTrain: 'X_train',
  yTrain: 'y_train',
  xTest: 'X_test',
  yTest: 'y_test',
};

export interface OpenOptions {
  /** Dataset names (defaults X_train / y_train / X_test / y_test). */
  names?: Partial<DatasetNames>;
  /** [D, H, W] or [D, H, W, C]: needed for flat rows without a `grid` attribute whose length is not a cube. */
  grid?: GridSpec;
  /** Class names, index = label; needed when the file has no `labels` attribute and "0".."K-1" won't do. */
  labels?: readonly string[];
}

/** What a split holds, as stored. */
export interface SplitInfo {
  rows: number;
  xName: string;
  yName: string;
  /** Shape of X as stored, rows first. */
  xShape: readonly number[];
  xDtype: VoxelDtype;
  /** e.g. 'int64', 'uint8'. */
  yDtype: string;
  /** HDF5 filters on X, e.g. 'deflate(4)', or 'none'. */
  compression: string;
  /** Rows per label 0..K-1 (voxels per label for a segmentation set). */
  labelCounts: number[];
}

export interface Dataset3D {
  readonly path: string;
  /** Grid, channels, voxel order, labels and counts, with the model contract's field names. */
  readonly descriptor: DatasetDescriptor;
  /** Values per raw row: D·H·W·C. */
  readonly rowLength: number;
  /** Labels per row: 1, or D·H·W for a segmentation set. */
  readonly labelLength: number;
  count(split: Split): number;
  info(split: Split): SplitInfo;
  /** Reads rows `[start, start + count)` (default: the whole split), checking every value is finite. */
  read(split: Split, start?: number, count?: number): SplitData;
  /** Consecutive slices of at most `batchSize` rows over `[range.start, range.end)`; the last may be shorter. */
  batches(split: Split, batchSize: number, range?: BatchRange): Iterable<SplitData>;
  /**
   * Reads the rows at `indices` (any order, repeats allowed) into row k = indices[k], checking values are finite.
   * Random access for shuffled batches: the rows are read as few sorted spans as possible (row-spans.ts).
   */
  readAt(split: Split, indices: ArrayLike<number>): SplitData;
  close(): void;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const H5T_INTEGER = 0;
/** HDF5's variable-length sequence class: one array of its own length per row (ragged). */
const H5T_VLEN = 9;
/** Labels are read in slices of about this many values, like X: no whole-array reads. */
const LABEL_SLICE = 1 << 20;

interface SplitHandles {
  x: Dataset;
  y: Dataset;
  xName: string;
  yName: string;
  rows: number;
  xShape: number[];
  dtype: VoxelDtype;
  /** Every row's label (classification); a segmentation set's labels stay in the file, read with the rows. */
  labels: Int32Array | undefined;
  /** Voxels (segmentation) or rows per label, counted while the labels were checked at open. */
  labelCounts: number[];
  /** Rows per chunk of X when it is chunked (and so maybe compressed); undefined when contiguous. */
  chunkRows: number | undefined;
}

/** Opens and checks an HDF5 dataset file. Throws a one-line DataError naming the file, dataset and field at fault. */
export async function openDataset(path: string, options: OpenOptions = {}): Promise<Dataset3D> {
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
    return new H5Dataset3D(path, file, openSplits(file, path, options, h5.Dataset), statSync(path).size);
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

interface OpenedSplits {
  splits: Map<Split, SplitHandles>;
  layout: SampleLayout;
  labels: readonly string[];
  segment: boolean;
  preparation?: VolumePreparation;
}

/** A `preparation` attribute's value (JSON text of core's VolumePreparation); undefined when it is not one. */
function preparationFromAttribute(value: unknown): VolumePreparation | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return preparationProblem(parsed) === undefined ? (parsed as VolumePreparation) : undefined;
  } catch {
    return undefined;
  }
}

function openSplits(
  file: File,
  path: string,
  options: OpenOptions,
  DatasetClass: typeof Dataset,
): OpenedSplits {
  const fail = (message: string): never => {
    throw new DataError(`${path}: ${message}`);
  };
  const names = { ...DEFAULT_DATASET_NAMES, ...options.names };
  const pairs = {
    train: { x: names.xTrain, y: names.yTrain },
    test: { x: names.xTest, y: names.yTest },
  };
  const raw = SPLITS.map((split) => {
    const { x: xName, y: yName } = pairs[split];
    const x = getDataset(file, path, xName, DatasetClass);
    const y = getDataset(file, path, yName, DatasetClass);
    return { split, x, y, xName, yName };
  });

  const given: LabelSource[] = options.labels ? [{ names: options.labels, origin: 'the given labels' }] : [];
  const fromFile = attributeSources(path, 'labels', labelsFromAttribute, 'class names', [
    ...raw.map((r) => ({ entity: r.y, where: `of '${r.yName}'` })),
    { entity: file, where: 'of the file' },
  ]).map(({ value, origin }) => ({ names: value, origin }));
  const named = resolveLabelNames([...given, ...fromFile]);
  if (typeof named === 'string') fail(named);
  const labelNames = named as LabelSource | undefined;
  const limit = labelNames ? labelNames.names.length : MAX_CLASSES;

  let layout: SampleLayout | undefined;
  let layoutOf = '';
  let segmentOf: string | undefined;
  let classifyOf: string | undefined;
  const splits = new Map<Split, SplitHandles>();
  let maxLabel = -1;
  for (const { split, x, y, xName, yName } of raw) {
    const xm = x.metadata;
    const ym = y.metadata;
    const dtype = voxelDtypeOf(xm);
    if (!dtype) {
      fail(`dataset '${xName}' has dtype ${describeDtype(x)}, expected float16/32/64 or (u)int8/16`);
    }
    if (ym.type !== H5T_INTEGER || ym.vlen) {
      fail(`dataset '${yName}' has dtype ${describeDtype(y)}, expected integers (int8–int64, uint8–uint64)`);
    }
    const xShape = xm.shape ?? [];
    const yShape = ym.shape ?? [];
    const gridSources: GridSource[] = [
      ...(options.grid ? [{ spec: options.grid, origin: 'the given grid' }] : []),
      ...attributeSources(path, 'grid', gridFromAttribute, 'D,H,W[,C] positive integers', [
        { entity: x, where: `of '${xName}'` },
        { entity: file, where: 'of the file' },
      ]).map(({ value, origin }) => ({ spec: value, origin })),
    ];
    const resolved = resolveLayout(xName, xShape, gridSources);
    if (typeof resolved === 'string') fail(resolved);
    const mine = resolved as SampleLayout;
    if (layout && sampleText(layout) !== sampleText(mine)) {
      fail(
        `dataset '${xName}' holds ${sampleText(mine)} samples but '${layoutOf}' holds ${sampleText(layout)}`,
      );
    }
    layout ??= mine;
    layoutOf ||= xName;
    const rows = xShape[0] ?? 0;
    const segment = yShape.length > 1;
    const voxels = mine.grid[0] * mine.grid[1] * mine.grid[2];
    // Label volumes share X's grid: (N, D, H, W), or (N, D·H·W) beside flat rows.
    const volume = xShape.length === 2 ? [rows, voxels] : [rows, ...mine.grid];
    if (segment && yShape.join() !== volume.join()) {
      fail(
        `dataset '${yName}' has shape (${yShape.join(',')}), expected (N,) labels or label volumes ` +
          `(${volume.join(',')}) on the grid of '${xName}'`,
      );
    }
    if (segment) segmentOf ??= yName;
    else classifyOf ??= yName;
    if (segmentOf && classifyOf) {
      fail(`dataset '${segmentOf}' holds label volumes but '${classifyOf}' one label per row`);
    }
    if (yShape[0] !== rows)
      fail(`dataset '${yName}' has ${yShape[0]} labels but '${xName}' has ${rows} rows`);
    const scan = scanLabels(y, path, yName, rows, segment ? voxels : 1, limit, labelNames?.origin);
    maxLabel = Math.max(maxLabel, scan.counts.length - 1);
    const chunkRows = xm.chunks?.[0];
    splits.set(split, {
      x,
      y,
      xName,
      yName,
      rows,
      xShape,
      dtype: dtype as VoxelDtype,
      labels: segment ? undefined : scan.labels,
      labelCounts: scan.counts,
      chunkRows,
    });
  }
  let labels = labelNames?.names;
  if (!labels) {
    labels = numberedLabels(maxLabel + 1);
    const problem = labelNamesProblem(labels);
    if (problem) {
      fail(
        `datasets '${names.yTrain}' and '${names.yTest}' ${maxLabel < 0 ? 'hold no labels' : `hold only label ${maxLabel}`}: ` +
          'at least 2 classes needed (give the label names if the file lacks some classes)',
      );
    }
  }
  const [prepared] = attributeSources(
    path,
    'preparation',
    preparationFromAttribute,
    "JSON of a scan preparation (orientation, spacing, intensity; see @conv3d/core's VolumePreparation)",
    [{ entity: file, where: 'of the file' }],
  );
  return {
    splits,
    layout: layout as SampleLayout,
    labels,
    segment: segmentOf !== undefined,
    ...(prepared && { preparation: prepared.value }),
  };
}

const sampleText = (l: SampleLayout): string => `${l.grid.join('×')}×${l.channels}`;

function describeDtype(dataset: Dataset): string {
  const m = dataset.metadata;
  if (m.vlen || m.type === H5T_VLEN) return 'variable-length (ragged)';
  return typeof dataset.dtype === 'string' ? dataset.dtype : JSON.stringify(dataset.dtype);
}

interface AttributeHolder {
  attrs: Record<string, { value: unknown }>;
}

/** The parsed value of attribute `name` on each entity that has one; a present but unreadable one is an error. */
function attributeSources<T>(
  path: string,
  name: string,
  parse: (value: unknown) => T | undefined,
  expected: string,
  holders: { entity: AttributeHolder; where: string }[],
): { value: T; origin: string }[] {
  const found: { value: T; origin: string }[] = [];
  for (const { entity, where } of holders) {
    const origin = `attribute '${name}' ${where}`;
    let value: unknown;
    try {
      const attribute = entity.attrs[name];
      if (attribute === undefined) continue;
      value = attribute.value;
    } catch (error) {
      throw new DataError(`${path}: cannot read ${origin} (${h5Reason(error)})`);
    }
    const parsed = parse(value);
    if (parsed === undefined) {
      throw new DataError(`${path}: ${origin} is ${shortValue(value)}, expected ${expected}`);
    }
    found.push({ value: parsed, origin });
  }
  return found;
}

function shortValue(value: unknown): string {
  const text = ArrayBuffer.isView(value)
    ? `[${Array.from(value as unknown as ArrayLike<unknown>, String).join(',')}]`
    : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
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

/**
 * Reads a split's labels in slices, checking each is a class index below `limit` (the number of label names when
 * known, where `namedBy` says where they came from), and counts them per class. `perRow` labels make one row: 1, or
 * a label volume's voxels. A classification set's labels are kept (`labels`); a label volume's go back to the file.
 */
function scanLabels(
  y: Dataset,
  path: string,
  name: string,
  rows: number,
  perRow: number,
  limit: number,
  namedBy: string | undefined,
): { labels: Int32Array | undefined; counts: number[] } {
  const kept = perRow === 1 ? new Int32Array(rows) : undefined;
  const counts: number[] = [];
  const sliceRows = Math.max(1, Math.floor(LABEL_SLICE / perRow));
  for (let start = 0; start < rows; start += sliceRows) {
    const end = Math.min(rows, start + sliceRows);
    const part = sliceLabels(y, path, name, start, end);
    for (let i = 0; i < part.length; i++) {
      const v = Number(part[i]);
      if (!(v >= 0 && v < limit)) {
        const row = start + Math.floor(i / perRow);
        const where = perRow === 1 ? '' : ` voxel ${i % perRow}`;
        const expected = namedBy
          ? `expected 0–${limit - 1} (${limit} classes named by ${namedBy})`
          : v < 0
            ? 'expected a class index ≥ 0'
            : `more than ${MAX_CLASSES} classes`;
        throw new DataError(
          `${path}: dataset '${name}' row ${row}${where} holds label ${part[i]}, ${expected}`,
        );
      }
      while (counts.length <= v) counts.push(0);
      counts[v] = (counts[v] as number) + 1;
      if (kept) kept[start + i] = v;
    }
  }
  return { labels: kept, counts };
}

/** Labels of rows [start, end) as stored (BigInt64Array for int64). */
function sliceLabels(
  y: Dataset,
  path: string,
  name: string,
  start: number,
  end: number,
): ArrayLike<number | bigint> {
  try {
    return y.slice([[start, end]]) as ArrayLike<number | bigint>;
  } catch (error) {
    throw new DataError(
      `${path}: cannot read rows ${start}–${end - 1} of dataset '${name}' (${h5Reason(error)}); is the file truncated?`,
    );
  }
}

/** Copies stored labels (checked at open) into `out` from `at`. */
function copyLabels(values: ArrayLike<number | bigint>, out: Int32Array, at: number): void {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    for (let i = 0; i < values.length; i++) out[at + i] = Number(values[i]);
  } else out.set(values as ArrayLike<number>, at);
}

class H5Dataset3D implements Dataset3D {
  readonly descriptor: DatasetDescriptor;
  readonly rowLength: number;
  readonly labelLength: number;
  private readonly splits: Map<Split, SplitHandles>;

  constructor(
    readonly path: string,
    private readonly file: File,
    opened: OpenedSplits,
    /** The file's size when opened: HDF5 reads past the end of a file truncated since as zeros, silently. */
    private readonly openedSize: number,
  ) {
    this.splits = opened.splits;
    const { grid, channels } = opened.layout;
    this.descriptor = {
      grid: [grid[0], grid[1], grid[2]],
      rawChannels: channels,
      voxelOrder: VOXEL_ORDER,
      labels: opened.labels,
      task: opened.segment ? 'segment' : 'classify',
      counts: { train: this.handles('train').rows, test: this.handles('test').rows },
      ...(opened.preparation && { preparation: opened.preparation }),
    };
    this.rowLength = rowLengthOf(this.descriptor);
    this.labelLength = labelLengthOf(this.descriptor);
  }

  count(split: Split): number {
    return this.handles(split).rows;
  }

  info(split: Split): SplitInfo {
    const h = this.handles(split);
    const labelCounts = this.descriptor.labels.map((_, k) => h.labelCounts[k] ?? 0);
    const filters = h.x.filters.map((f) => `${f.name}(${f.cd_values.join(',')})`);
    const ym = h.y.metadata;
    return {
      rows: h.rows,
      xName: h.xName,
      yName: h.yName,
      xShape: h.xShape,
      xDtype: h.dtype,
      yDtype: `${ym.signed ? 'int' : 'uint'}${ym.size * 8}`,
      compression: filters.length > 0 ? filters.join(' + ') : 'none',
      labelCounts,
    };
  }

  read(split: Split, start = 0, count?: number): SplitData {
    const h = this.handles(split);
    const n = count ?? h.rows - start;
    return this.readRows(h, start, n, undefined);
  }

  *batches(split: Split, batchSize: number, range: BatchRange = {}): Iterable<SplitData> {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    }
    const h = this.handles(split);
    const start = range.start ?? 0;
    const end = range.end ?? h.rows;
    const size = Math.min(batchSize, Math.max(0, end - start));
    const reused = range.reuse ? this.newBuffers(h, size) : undefined;
    for (let s = start; s < end; s += batchSize) {
      yield this.readRows(h, s, Math.min(batchSize, end - s), reused);
    }
  }

  private readRows(h: SplitHandles, start: number, n: number, into: Buffers | undefined): SplitData {
    if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > h.rows) {
      throw new DataError(
        `${this.path}: rows ${start}..${start + n} are outside '${h.xName}' (0..${h.rows})`,
      );
    }
    const buffers = into ?? this.newBuffers(h, n);
    const x = buffers.x.subarray(0, n * this.rowLength);
    readHyperslab(h, this.path, start, n, x);
    if (n > 0) this.checkSize(h, start, start + n - 1);
    if (mayBeNonFinite(h.dtype)) checkFinite(x, this.rowLength, this.path, h.xName, start);
    const y = buffers.y.subarray(0, n * this.labelLength);
    if (h.labels) y.set(h.labels.subarray(start, start + n));
    else if (n > 0) copyLabels(sliceLabels(h.y, this.path, h.yName, start, start + n), y, 0);
    return { x, y, count: n };
  }

  readAt(split: Split, indices: ArrayLike<number>): SplitData {
    const h = this.handles(split);
    const n = indices.length;
    for (let k = 0; k < n; k++) {
      const row = indices[k] as number;
      if (!Number.isInteger(row) || row < 0 || row >= h.rows) {
        throw new DataError(`${this.path}: row ${row} is outside '${h.xName}' (0..${h.rows})`);
      }
    }
    const { rowLength, labelLength } = this;
    const out = this.newBuffers(h, n);
    const slots = new Map<number, number[]>();
    for (let k = 0; k < n; k++) {
      const row = indices[k] as number;
      const list = slots.get(row);
      if (list) list.push(k);
      else slots.set(row, [k]);
      if (h.labels) out.y[k] = h.labels[row] as number;
    }
    let first = Number.POSITIVE_INFINITY;
    let last = -1;
    for (const span of planSpans(indices, h.chunkRows)) {
      const buffer = newRows(h.dtype, (span.end - span.start) * rowLength);
      readHyperslab(h, this.path, span.start, span.end - span.start, buffer);
      for (const row of span.rows) {
        const from = buffer.subarray((row - span.start) * rowLength, (row - span.start + 1) * rowLength);
        if (mayBeNonFinite(h.dtype)) checkFinite(from, rowLength, this.path, h.xName, row);
        for (const k of slots.get(row) as number[]) out.x.set(from, k * rowLength);
      }
      if (!h.labels) {
        const labels = new Int32Array((span.end - span.start) * labelLength);
        copyLabels(sliceLabels(h.y, this.path, h.yName, span.start, span.end), labels, 0);
        for (const row of span.rows) {
          const from = labels.subarray(
            (row - span.start) * labelLength,
            (row - span.start + 1) * labelLength,
          );
          for (const k of slots.get(row) as number[]) out.y.set(from, k * labelLength);
        }
      }
      first = Math.min(first, span.start);
      last = Math.max(last, span.end - 1);
    }
    if (n > 0) this.checkSize(h, first, last);
    return { x: out.x, y: out.y, count: n };
  }

  /** Called after a read: rows read from a file that has shrunk since it was opened may be zeros, not data. */
  private checkSize(h: SplitHandles, first: number, last: number): void {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      throw new DataError(
        `${this.path}: the file disappeared while reading rows ${first}–${last} of dataset '${h.xName}'`,
      );
    }
    if (size < this.openedSize) {
      throw new DataError(
        `${this.path}: cannot read rows ${first}–${last} of dataset '${h.xName}': the file was truncated ` +
          `(${this.openedSize} bytes when opened, ${size} now)`,
      );
    }
  }

  private newBuffers(h: SplitHandles, rows: number): Buffers {
    return { x: newRows(h.dtype, rows * this.rowLength), y: new Int32Array(rows * this.labelLength) };
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
  x: Rows;
  y: Int32Array;
}

/**
 * Reads rows [start, start + n) of X into `out` through one wasm buffer, converted once (h5wasm's own slice()
 * copies into a fresh array, which this would then copy again, and cannot read float16).
 */
function readHyperslab(h: SplitHandles, path: string, start: number, n: number, out: Rows): void {
  if (n === 0) return;
  const module = h5Module();
  const bytes = out.length * BYTES_PER_VALUE[h.dtype];
  const ptr = module._malloc(bytes);
  if (!ptr) {
    throw new DataError(
      `${path}: cannot read rows ${start}–${start + n - 1} of '${h.xName}': out of wasm memory`,
    );
  }
  try {
    const sample = h.xShape.slice(1);
    module.get_dataset_data(
      h.x.file_id,
      h.x.path,
      [BigInt(n), ...sample.map(BigInt)],
      [BigInt(start), ...sample.map(() => 0n)],
      [1n, ...sample.map(() => 1n)],
      BigInt(ptr),
    );
    decodeInto(h.dtype, module.HEAPU8.buffer as ArrayBuffer, ptr, out);
  } catch (error) {
    throw new DataError(
      `${path}: cannot read rows ${start}–${start + n - 1} of dataset '${h.xName}' (${h5Reason(error)}); is the file truncated?`,
    );
  } finally {
    module._free(ptr);
  }
}

function checkFinite(x: Rows, rowLength: number, path: string, name: string, firstRow: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    // v − v is 0 for every finite value and NaN for NaN and ±Infinity.
    if (v - v !== 0) {
      const row = firstRow + Math.floor(i / rowLength);
      const what = Number.isNaN(v) ? 'NaN' : `${v}`;
      throw new DataError(
        `${path}: dataset '${name}' row ${row} value ${i % rowLength} is ${what}, expected finite values`,
      );
    }
  }
}
