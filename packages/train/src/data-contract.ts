// A run's model contract comes from its data: the file's grid, raw channels, label names, task and scan preparation
// (the reader's descriptor, in the contract's own field names) plus the config's preprocessing. 3D MNIST defaults to the seed's
// Oranges RGB step, anything else to per-sample min-max scaling. A segmenter's grid is its training patch.
import { defineContract, type ModelContract, SEED_CONTRACT } from '@conv3d/core';
import type { DatasetDescriptor } from '@conv3d/data';
import { ConfigError, type LayerSpec, type TrainConfig } from './config.js';

export type DataShape = Pick<DatasetDescriptor, 'grid' | 'rawChannels' | 'labels'> &
  Partial<Pick<DatasetDescriptor, 'task' | 'preparation'>>;

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
  patch?: readonly [number, number, number],
): ModelContract {
  const segment = data.task === 'segment';
  try {
    return defineContract(
      {
        labels: data.labels,
        grid: segment && patch ? patch : data.grid,
        rawChannels: data.rawChannels,
        preprocessing: preprocessing ?? defaultPreprocessing(data),
        inputKind: 'preprocessed',
        ...(segment && {
          task: 'segment' as const,
          segmentation: { output: 'probabilities' as const, freeSize: false },
        }),
        // Scans packed by conv3d-dataset pack: inference prepares a new scan as these were.
        ...(data.preparation && { preparation: data.preparation }),
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
  const layers = config.layers.map((layer) => ({ ...layer, config: { ...layer.config } }));
  const first = layers[0] as LayerSpec;
  const at = (i: number): string => `${configSource}: layers[${i}] (${(layers[i] as LayerSpec).className})`;
  const shape = [...contract.inputShape];
  const given = first.config.inputShape;
  // A graph's input shape is the data's, always (graph-config.ts refuses one in the file).
  if (given === undefined) {
    if (!config.graph) first.config.inputShape = shape;
  } else if (JSON.stringify(given) !== JSON.stringify(shape)) {
    throw new ConfigError(
      `${at(0)}: 'inputShape' is ${JSON.stringify(given)}, but ${dataSource} gives ${JSON.stringify(shape)} ` +
        `(grid ${contract.grid.join('×')}, ${contract.rawChannels} raw channel(s), '${contract.preprocessing}' → ${contract.channels})`,
    );
  }
  // A classifier's class count is its last Dense's units, a segmenter's its last Conv3D's filters.
  const [kind, key] = contract.task === 'segment' ? ['Conv3D', 'filters'] : ['Dense', 'units'];
  const classes = contract.labels.length;
  const last = layers.map((l) => l.className).lastIndexOf(kind as LayerSpec['className']);
  if (last >= 0) {
    const layer = layers[last] as LayerSpec;
    const count = layer.config[key];
    if (count === undefined) layer.config[key] = classes;
    else if (count !== classes) {
      throw new ConfigError(
        `${at(last)}: '${key}' is ${count}, but ${dataSource} has ${classes} classes (${contract.labels.join(', ')})`,
      );
    }
  }
  const missing = layers.findIndex((l) => l.className === 'Conv3D' && l.config.filters === undefined);
  if (missing >= 0) throw new ConfigError(`${at(missing)}: missing required key 'filters'`);
  return { ...config, layers, preprocessing: contract.preprocessing };
}
