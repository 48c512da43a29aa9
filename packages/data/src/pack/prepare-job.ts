// One scan of `pack`: read, prepared as the contract's preparation says (plus the dataset's grid), and its label
// volume (segmentation) prepared the same way, nearest-neighbour. Run on a worker thread or in process.
import { prepareLabels, prepareScan, type VolumePreparation } from '@conv3d/core';
import { readNiftiFile } from '@conv3d/core/node';
import { DataError } from '../errors.js';
import type { OrderedJob } from '../ordered-pool.js';
import type { PackItem } from './sources.js';

export interface PackSetup {
  preparation: VolumePreparation;
  /** i, j, k voxels to resample every scan to. */
  grid?: [number, number, number];
  /** Label values must be below this (the number of label names). */
  classes: number;
}

export interface PackJob extends OrderedJob, PackItem {
  /** Row within its split. */
  row: number;
}

export interface PackedScan {
  /** (D, H, W, C) channels last. */
  x: Float32Array;
  shape: [number, number, number, number];
  /** (D, H, W) label volume (segmentation). */
  y?: Uint16Array;
}

export async function prepareJob(
  job: PackJob,
  setup: PackSetup,
  warn: (line: string) => void,
): Promise<PackedScan> {
  const options = setup.grid === undefined ? {} : { grid: setup.grid };
  const image = await readNiftiFile(job.image, { warn });
  const prepared = prepareScan(image, setup.preparation, options);
  if (job.labelImage === undefined) return { x: prepared.row, shape: prepared.shape };
  const labelScan = await readNiftiFile(job.labelImage, { warn });
  const [d, h, w] = prepared.shape;
  const { labels, shape } = prepareLabels(labelScan, setup.preparation, options);
  if (shape.join() !== [d, h, w].join()) {
    throw new DataError(
      `${job.labelImage}: the label volume prepares to ${shape.join('×')}, its scan ${job.image} to ${d}×${h}×${w}`,
    );
  }
  const bad = labels.findIndex((v) => v >= setup.classes);
  if (bad >= 0) {
    throw new DataError(
      `${job.labelImage}: label ${labels[bad]} at voxel ${bad}, but dataset.json names ${setup.classes} labels`,
    );
  }
  return { x: prepared.row, shape: prepared.shape, y: labels };
}
