// The run's task, from what the data holds (a label per row or per voxel) and the config's loss, which must agree.
import type { ModelContract } from '@conv3d/core';
import { ConfigError, LOSSES, type TrainConfig } from '../config.js';
import { classificationTask } from './classification.js';
import { segmentationTask } from './segmentation.js';
import type { BaseEvaluation, Task } from './task.js';

/** `rows`: the contract of the stored rows (the data's grid), when a segmenter trains on smaller patches. */
export function makeTask(
  config: TrainConfig,
  contract: ModelContract,
  rows: ModelContract,
  source: string,
): Task<BaseEvaluation> {
  const segment = contract.task === 'segment';
  if (segment !== (config.loss !== 'categoricalCrossentropy')) {
    throw new ConfigError(
      segment
        ? `${source}: the data holds label volumes (a segmentation set) but 'loss' is ${config.loss}: use one of ${LOSSES.slice(1).join(', ')}`
        : `${source}: 'loss' ${config.loss} is per voxel, but the data holds one label per row (a classification set)`,
    );
  }
  if (!segment) {
    for (const [key, section] of Object.entries(config.callbacks ?? {})) {
      if ((section as { monitor?: string }).monitor === 'val_dice') {
        throw new ConfigError(`${source}: callbacks.${key}: monitor 'val_dice' is for segmentation sets`);
      }
    }
    return classificationTask(contract) as unknown as Task<BaseEvaluation>;
  }
  if (config.augmentation) {
    throw new ConfigError(
      `${source}: 'augmentation' is for classification; a segmenter flips with segmentation.flip`,
    );
  }
  const weights = config.segmentation?.classWeights;
  if (weights && weights.length !== contract.labels.length) {
    throw new ConfigError(
      `${source}: segmentation.classWeights has ${weights.length} weights, but the data has ${contract.labels.length} classes`,
    );
  }
  return segmentationTask(contract, rows, config) as unknown as Task<BaseEvaluation>;
}
