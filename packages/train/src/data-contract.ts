// A run's model contract comes from its data: the file's grid, raw channels and label names (the reader's
// descriptor, in the contract's own field names) plus the config's preprocessing. 3D MNIST defaults to the seed's
// Oranges RGB step, anything else to per-sample min-max scaling.
import { defineContract, type ModelContract, SEED_CONTRACT } from '@conv3d/core';
import type { DatasetDescriptor } from '@conv3d/data';
import { ConfigError, type LayerSpec, type TrainConfig } from './config.js';

export type DataShape = Pick<DatasetDescriptor, 'grid' | 'rawChannels' | 'labels'>;

/** 3D MNIST at any resolution: a cubic grid of one value per voxel labelled with the seed's digits. */
export function isMnistLike(data: DataShape): boolean {
  const [d, h, w] = data.grid;
  return (
    d === h &&
    h === w &&
    data.rawChannels === SEED_CONTRACT.rawChannels &&
    data.labels.length === SEED_CONTRACT.labels.length &&
    data.labels.every((l, i) => l === SEED_CONTRACT.labels[i])
  );
}

/** The preprocessing a config gets when it names none. */
export function defaultPreprocessing(data: DataShape): string {
  return isMnistLike(data) ? SEED_CONTRACT.preprocessing : 'minmax';
}

/** The contract of a model trained on `data` with `preprocessing` (default: defaultPreprocessing). */
export function runContract(
  data: DataShape,
  preprocessing: string | undefined,
  source: string,
): ModelContract {
  try {
    return defineContract(
      {
        labels: data.labels,
        grid: data.grid,
        rawChannels: data.rawChannels,
        preprocessing: preprocessing ?? defaultPreprocessing(data),
        inputKind: 'preprocessed',
      },
      source,
    );
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/**
 * The config with the first layer's `inputShape` and the last Dense's `units` taken from the contract where the
 * config leaves them out; where it gives them they must agree with the data (a one-line ConfigError naming the
 * the config, the layer and `dataSource`).
 */
export function fitConfigToContract(
  config: TrainConfig,
  contract: ModelContract,
  dataSource: string,
  configSource = config.name,
): TrainConfig {
  const layers = config.layers.map((layer) => ({ className: layer.className, config: { ...layer.config } }));
  const first = layers[0] as LayerSpec;
  const at = (i: number): string => `${configSource}: layers[${i}] (${(layers[i] as LayerSpec).className})`;
  const shape = [...contract.inputShape];
  const given = first.config.inputShape;
  if (given === undefined) first.config.inputShape = shape;
  else if (JSON.stringify(given) !== JSON.stringify(shape)) {
    throw new ConfigError(
      `${at(0)}: 'inputShape' is ${JSON.stringify(given)}, but ${dataSource} gives ${JSON.stringify(shape)} ` +
        `(grid ${contract.grid.join('×')}, ${contract.rawChannels} raw channel(s), '${contract.preprocessing}' → ${contract.channels})`,
    );
  }
  const lastDense = layers.map((l) => l.className).lastIndexOf('Dense');
  const classes = contract.labels.length;
  if (lastDense >= 0) {
    const dense = layers[lastDense] as LayerSpec;
    const units = dense.config.units;
    if (units === undefined) dense.config.units = classes;
    else if (units !== classes) {
      throw new ConfigError(
        `${at(lastDense)}: 'units' is ${units}, but ${dataSource} has ${classes} classes (${contract.labels.join(', ')})`,
      );
    }
  }
  return { ...config, layers, preprocessing: contract.preprocessing };
}
