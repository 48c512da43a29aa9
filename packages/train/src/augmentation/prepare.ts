// Before training: checks the data file against what the augmentation needs, and opens the batch feed.
import { checkOriginalRows, MnistCopies } from '@conv3d/data';
import type { TrainConfig } from '../config.js';
import type { AugmentationConfig } from './config.js';
import { epochSize, originalsBelow, type StoredRows } from './epoch-rows.js';
import { AugmentationFeed } from './feed.js';

export interface PreparedAugmentation {
  /** Rows one epoch trains on. */
  epochRows: number;
  open(config: TrainConfig, startEpoch: number): AugmentationFeed;
}

/**
 * Fresh rotated copies need row 2·i of the training rows to be MNIST train image i: refuses (one-line DataError
 * naming `path`) any other file before a step runs.
 */
export function prepareAugmentation(
  path: string,
  augmentation: AugmentationConfig,
  stored: StoredRows,
): PreparedAugmentation {
  if (augmentation.rotatedCopies) {
    checkOriginalRows(path, stored, stored.split, new MnistCopies(originalsBelow(stored.split)));
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
