// The HDF5 file `pack` writes, in the layout the reader opens: X_train/X_test float32 (N, D, H, W) or
// (N, D, H, W, C); y_train/y_test int64 class indices (N,) for classification, or uint8/uint16 label volumes
// (N, D, H, W) for segmentation; source_train/source_test: each row's scan (and label) file; attributes `labels`
// (names, as every dataset here stores them), `grid` (D, H, W, C), `task`, `preparation` (JSON) and `layout`.
// Rows are written one chunk (one scan) at a time, so memory holds one volume whatever the dataset size.
import type { Dataset, File } from 'h5wasm/node';
import { loadH5 } from '../h5.js';
import { closeQuietly, writeFailure } from '../h5-writer.js';
import { datasetNames, SPLITS, type Split } from '../layout.js';
import type { PackTask } from './sources.js';

export interface PackLayout {
  rows: Readonly<Record<Split, number>>;
  /** D, H, W, C of every row. */
  shape: readonly [number, number, number, number];
  task: PackTask;
  labels: readonly string[];
  compression: 'gzip' | 'none';
  /** Attributes stored as text. */
  notes: Readonly<Record<string, string>>;
}

export interface PackWriter {
  write(split: Split, row: number, x: Float32Array, y: number | Uint16Array, source: string): void;
  finish(): void;
  abort(): void;
}

export async function createPackFile(path: string, tmp: string, layout: PackLayout): Promise<PackWriter> {
  const h5 = await loadH5();
  const [d, h, w, c] = layout.shape;
  const volume = c === 1 ? [d, h, w] : [d, h, w, c];
  const wideLabels = layout.labels.length > 256;
  let file: File | undefined;
  const fail = (error: unknown): never => {
    closeQuietly(file);
    file = undefined;
    throw writeFailure(path, error);
  };
  const x = {} as Record<Split, Dataset>;
  const yVolumes = {} as Record<Split, Dataset>;
  const yClasses = { train: new Int32Array(layout.rows.train), test: new Int32Array(layout.rows.test) };
  const sources = { train: [] as string[], test: [] as string[] };
  const gzip = layout.compression === 'gzip' ? { compression: 'gzip' as const } : {};
  try {
    file = new h5.File(tmp, 'w');
    for (const split of SPLITS) {
      const n = layout.rows[split];
      const names = datasetNames(split);
      x[split] = file.create_dataset({
        name: names.x,
        data: new Float32Array(0),
        shape: [0, ...volume],
        maxshape: [n, ...volume],
        chunks: [1, ...volume],
        dtype: '<f',
        ...gzip,
      });
      x[split].resize([n, ...volume]);
      if (layout.task === 'segment') {
        yVolumes[split] = file.create_dataset({
          name: names.y,
          data: wideLabels ? new Uint16Array(0) : new Uint8Array(0),
          shape: [0, d, h, w],
          maxshape: [n, d, h, w],
          chunks: [1, d, h, w],
          dtype: wideLabels ? '<H' : '<B',
          ...gzip,
        });
        yVolumes[split].resize([n, d, h, w]);
      }
    }
  } catch (error) {
    fail(error);
  }
  return {
    write(split, row, rowX, y, source) {
      try {
        x[split].write_slice([[row, row + 1]], rowX);
        if (typeof y === 'number') yClasses[split][row] = y;
        else yVolumes[split].write_slice([[row, row + 1]], wideLabels ? y : Uint8Array.from(y));
        sources[split][row] = source;
      } catch (error) {
        fail(error);
      }
    },
    finish() {
      try {
        const f = file as File;
        for (const split of SPLITS) {
          if (layout.task === 'classify') {
            f.create_dataset({
              name: datasetNames(split).y,
              data: BigInt64Array.from(yClasses[split], (v) => BigInt(v)),
              shape: [layout.rows[split]],
              dtype: '<q',
            });
          }
          f.create_dataset({ name: `source_${split}`, data: sources[split] });
        }
        f.create_attribute('labels', [...layout.labels]);
        f.create_attribute('grid', BigInt64Array.from([d, h, w, c], BigInt));
        f.create_attribute('task', layout.task);
        for (const [name, value] of Object.entries(layout.notes)) f.create_attribute(name, value);
        f.close();
        file = undefined;
      } catch (error) {
        fail(error);
      }
    },
    abort() {
      closeQuietly(file);
      file = undefined;
    },
  };
}
