// conv3d-predict for a segmentation model: segments every volume of a split of a segmentation set (y_* holds one
// label per voxel, read by @conv3d/data), prints per-volume and per-class Dice, the mean Dice and the provider, and
// with --out writes the predicted label volumes to HDF5 (dataset y_pred_<split>, (N, D, H, W) uint8/uint16).
import type { Blend, SegmentOptions, Size3 } from '@conv3d/core';
import type { CliIo } from '@conv3d/core/node';
import type { Dataset3D, Split } from '@conv3d/data';
import { DiceTally, meanDefined } from './dice.js';
import { loadSegmenter, type NodeSegmenter } from './load.js';
import type { NodeDevice } from './session.js';

type DataPackage = typeof import('@conv3d/data');

export interface SegmentCommandOptions {
  model: string;
  data: string;
  split: Split;
  limit: number | undefined;
  device: NodeDevice;
  read: Parameters<DataPackage['openDataset']>[1];
  /** Windows per model run. */
  batch: number;
  roi?: Size3;
  overlap?: number;
  blend?: Blend;
  out?: string;
}

/** Segments the split and reports Dice; see the file comment. */
export async function segmentSplit(
  options: SegmentCommandOptions,
  data: DataPackage,
  io: CliIo,
): Promise<void> {
  let dataset: Dataset3D | undefined;
  let segmenter: NodeSegmenter | undefined;
  try {
    segmenter = await loadSegmenter(options.model, { device: options.device });
    dataset = await data.openDataset(options.data, options.read);
    const { descriptor } = dataset;
    const { contract } = segmenter;
    if (descriptor.task !== 'segment') {
      throw new Error(
        `${dataset.path}: holds one label per row (a classification set), but ${options.model} is a segmenter: give a file whose y_* hold label volumes (N, D, H, W)`,
      );
    }
    if (descriptor.rawChannels !== contract.rawChannels) {
      throw new Error(
        `${dataset.path}: ${descriptor.rawChannels} values per voxel, but ${options.model} takes ${contract.rawChannels} ('conv3d.raw_channels')`,
      );
    }
    if (descriptor.labels.length > contract.labels.length) {
      throw new Error(
        `${dataset.path}: ${descriptor.labels.length} labels, but ${options.model} has ${contract.labels.length} ('conv3d.labels')`,
      );
    }
    io.log(`labels (${contract.labels.length}): ${contract.labels.join(', ')}`);
    const available = dataset.count(options.split);
    const total = Math.min(available, options.limit ?? available);
    const dims = [...descriptor.grid, contract.rawChannels];
    const segmentOptions: SegmentOptions = {
      batch: options.batch,
      ...(options.roi && { roi: options.roi }),
      ...(options.overlap !== undefined && { overlap: options.overlap }),
      ...(options.blend && { blend: options.blend }),
    };
    const tally = new DiceTally(contract.labels.length);
    const started = performance.now();
    let windows = 0;
    const run = async (write?: (index: number, labels: Uint8Array | Uint16Array) => void) => {
      let index = 0;
      for (const row of (dataset as Dataset3D).batches(options.split, 1, {
        start: 0,
        end: total,
        reuse: true,
      })) {
        const volume = { data: row.x, dims };
        const result = await (segmenter as NodeSegmenter).segment(volume, segmentOptions);
        windows += result.windows;
        const dice = tally.add(result.labels, row.y);
        write?.(index, result.labels);
        const shown = dice.map((d, c) => `${contract.labels[c]} ${Number.isNaN(d) ? 'n/a' : d.toFixed(4)}`);
        io.log(`${options.split}[${index}] Dice ${shown.join(', ')} (${result.windows} windows)`);
        index++;
      }
    };
    if (options.out === undefined) await run();
    else {
      const layout = {
        name: `y_pred_${options.split}`,
        count: total,
        grid: descriptor.grid,
        labels: contract.labels,
      };
      await data.writeLabelVolumes(options.out, layout, (write) => run(write));
    }
    const seconds = (performance.now() - started) / 1000;
    const perClass = tally.perClass();
    const shown = perClass.map(
      (d, c) =>
        `${contract.labels[c]} ${Number.isNaN(d) ? 'n/a' : d.toFixed(4)} (${tally.volumes(c)} volumes)`,
    );
    io.log(`per class Dice: ${shown.join(', ')}`);
    const foreground = meanDefined(perClass.slice(1));
    io.log(
      `mean Dice ${foreground.toFixed(4)} over ${contract.labels.slice(1).join(', ')} (${meanDefined(perClass).toFixed(4)} with ${contract.labels[0]}) on ${total} ${options.split} volumes; provider ${segmenter.provider}; ${windows} windows, ${(total / seconds).toFixed(2)} volumes/s`,
    );
    if (options.out !== undefined) {
      const type = contract.labels.length > 256 ? 'uint16' : 'uint8';
      io.log(
        `wrote ${options.out}: y_pred_${options.split} (${[total, ...descriptor.grid].join(', ')}) ${type}`,
      );
    }
  } finally {
    dataset?.close();
    await segmenter?.dispose();
  }
}
