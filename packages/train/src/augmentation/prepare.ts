// Before training: checks the data file against what the augmentation needs, and opens the batch feed.
import { checkOriginalRows, DataError } from '@conv3d/data';
import type { TrainConfig } from '../config.js';
import { ConfigError } from '../config-checks.js';
import type { AugmentationConfig } from './config.js';
import { epochSize, gridOf, mnistCopiesFor, type StoredRows } from './epoch-rows.js';
import { AugmentationFeed } from './feed.js';
import { quarterTurnProblem } from './voxel-ops.js';

export interface PreparedAugmentation {
  /** Rows one epoch trains on. */
  epochRows: number;
  open(config: TrainConfig, startEpoch: number): AugmentationFeed;
}

/**
 * Fresh rotated copies need row 2·i of the training rows to be MNIST train image i on a cubic one-channel grid:
 * refuses (one-line DataError naming `path`) any other file before a step runs. Quarter turns need the turned
 * plane's two sizes to agree (one-line ConfigError naming the plane).
 */
export function prepareAugmentation(
  path: string,
  augmentation: AugmentationConfig,
  stored: StoredRows,
): PreparedAugmentation {
  const [d, h, w] = stored.contract.grid;
  if (augmentation.rotatedCopies) {
    if (d !== h || h !== w || stored.contract.rawChannels !== 1) {
      throw new DataError(
        `${path}: augmentation.rotatedCopies needs a 3D MNIST build (cubic grid, 1 channel), the file holds ${d}×${h}×${w}×${stored.contract.rawChannels}`,
      );
    }
    checkOriginalRows(path, stored, stored.split, mnistCopiesFor(stored));
  }
  for (const plane of augmentation.voxel?.rotate90?.planes ?? []) {
    const problem = quarterTurnProblem(gridOf(stored), plane);
    if (problem) throw new ConfigError(`augmentation.voxel.rotate90.planes: ${problem} (${path})`);
  }
  return {
    epochRows: epochSize(stored.split, augmentation),
    open: (config, startEpoch) =>
      new AugmentationFeed({
        stored,
        augmentation,
        runSeed: config.seed,
        batchSize: config.batchSize,
        startEpoch,
        epochs: config.epochs,
      }),
  };
}
