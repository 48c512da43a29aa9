// Writes predicted label volumes to HDF5: one dataset (N, D, H, W) of uint8 (≤ 256 labels) or uint16, one gzip
// chunk per volume, streamed volume by volume so memory holds one at a time; the label names go in a `labels`
// attribute, as the dataset files carry them. The file appears whole or not at all (writeAtomic).
import { writeAtomic } from '@conv3d/core/node';
import { DataError } from './errors.js';
import { h5Reason, loadH5 } from './h5.js';

export interface LabelVolumeLayout {
  /** Dataset name, e.g. 'y_pred_test'. */
  name: string;
  /** Volumes to write. */
  count: number;
  grid: readonly [number, number, number];
  /** Label names, index = value. */
  labels: readonly string[];
}

/** Writes volume `index` ([D, H, W] row-major); called once per volume, in any order. */
export type WriteLabelVolume = (index: number, labels: Uint8Array | Uint16Array) => void;

/** Creates `path` with one label-volume dataset and lets `fill` write every volume into it. */
export async function writeLabelVolumes(
  path: string,
  layout: LabelVolumeLayout,
  fill: (write: WriteLabelVolume) => Promise<void>,
): Promise<void> {
  const h5 = await loadH5();
  const wide = layout.labels.length > 256;
  const Labels = wide ? Uint16Array : Uint8Array;
  const voxels = layout.grid[0] * layout.grid[1] * layout.grid[2];
  await writeAtomic(path, async (tmp) => {
    let file: InstanceType<typeof h5.File> | undefined;
    try {
      file = new h5.File(tmp, 'w');
      const dataset = file.create_dataset({
        name: layout.name,
        data: new Labels(0),
        shape: [0, ...layout.grid],
        maxshape: [layout.count, ...layout.grid],
        chunks: [1, ...layout.grid],
        dtype: wide ? '<H' : '<B',
        compression: 'gzip',
      });
      dataset.resize([layout.count, ...layout.grid]);
      dataset.create_attribute('labels', JSON.stringify(layout.labels));
      await fill((index, labels) => {
        if (!(labels instanceof Labels) || labels.length !== voxels) {
          throw new TypeError(`volume ${index} must be a ${Labels.name} of ${voxels} labels`);
        }
        dataset.write_slice([[index, index + 1]], labels);
      });
    } catch (error) {
      if (error instanceof DataError || error instanceof TypeError) throw error;
      throw new DataError(`${path}: cannot write HDF5 file (${h5Reason(error)})`);
    } finally {
      file?.close();
    }
  });
}
