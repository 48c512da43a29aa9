// `conv3d-dataset inspect FILE [dataset flags]`: what a file holds (grid, channels, dtypes, counts, labels, class
// balance per split: rows per class, or voxels per class for a segmentation set), checking every value on the way.
import { type CliIo, parseCommandLine, UsageError } from '@conv3d/core/node';
import { rowLengthOf } from './descriptor.js';
import { SPLITS } from './layout.js';
import { DATASET_FLAG_OPTIONS, datasetOptionsFromFlags } from './read-flags.js';
import { openDataset } from './reader.js';

/** Rows per read while checking: a few MB at most for typical grids, buffers reused. */
const INSPECT_BATCH = 500;

export async function inspectCommand(args: readonly string[], io: CliIo): Promise<void> {
  const print = (line: string): void => io.log(line);
  const { values, positionals } = parseCommandLine(args, {
    options: DATASET_FLAG_OPTIONS,
    allowPositionals: true,
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('inspect takes exactly one FILE');
  const ds = await openDataset(file, datasetOptionsFromFlags(values));
  try {
    const { grid, rawChannels, voxelOrder, labels, task } = ds.descriptor;
    const segment = task === 'segment';
    print(file);
    print(
      `  grid ${grid.join('×')} (D×H×W), ${rawChannels} channel${rawChannels === 1 ? '' : 's'}, ` +
        `voxel order ${voxelOrder}: ${rowLengthOf(ds.descriptor)} values per row`,
    );
    print(`  labels (${labels.length}): ${labels.join(', ')}`);
    if (segment) print('  task: segmentation (a label per voxel)');
    for (const split of SPLITS) {
      const info = ds.info(split);
      // Reading every batch checks every value is finite.
      let nonzero = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const batch of ds.batches(split, INSPECT_BATCH, { reuse: true })) {
        for (const v of batch.x) {
          if (v !== 0) nonzero++;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      const range = info.rows === 0 ? 'no values' : `values ${min} to ${max}`;
      const yShape = segment ? `(${info.rows},${grid.join(',')})` : `(${info.rows},)`;
      print(
        `  ${split}: ${info.rows} rows, X '${info.xName}' ${info.xDtype} (${info.xShape.join(',')}) [${info.compression}], ` +
          `y '${info.yName}' ${info.yDtype} ${yShape}; ${range}, ` +
          `${(nonzero / Math.max(1, info.rows)).toFixed(1)} nonzero values/row`,
      );
      const total = info.labelCounts.reduce((a, b) => a + b, 0);
      const balance = info.labelCounts.map(
        (n, k) => `${labels[k]} ${n} (${((100 * n) / Math.max(1, total)).toFixed(1)} %)`,
      );
      print(`    ${segment ? 'voxel fractions' : 'class balance'}: ${balance.join(', ')}`);
    }
    print(`  all values finite, all labels in 0–${labels.length - 1}`);
  } finally {
    ds.close();
  }
}
