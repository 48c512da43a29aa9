// The command-line flags that say how to read a dataset file (`--grid`, `--labels`, `--x-train`, ...), shared by
// every CLI that reads one. Kept apart from the CLIs' own flags.
import { UsageError } from '@conv3d/core/node';
import { parseGridText } from './grid.js';
import type { DatasetNames, OpenOptions } from './reader.js';

/** node:util parseArgs options of the dataset flags. */
export const DATASET_FLAG_OPTIONS = {
  grid: { type: 'string' },
  labels: { type: 'string' },
  'x-train': { type: 'string' },
  'y-train': { type: 'string' },
  'x-test': { type: 'string' },
  'y-test': { type: 'string' },
} as const;

export const DATASET_FLAGS_USAGE =
  '[--grid D,H,W[,C]] [--labels a,b,...] [--x-train NAME] [--y-train NAME] [--x-test NAME] [--y-test NAME]';

type FlagValues = Partial<Record<keyof typeof DATASET_FLAG_OPTIONS, string | boolean | undefined>>;

const NAME_FLAGS: readonly [keyof typeof DATASET_FLAG_OPTIONS, keyof DatasetNames][] = [
  ['x-train', 'xTrain'],
  ['y-train', 'yTrain'],
  ['x-test', 'xTest'],
  ['y-test', 'yTest'],
];

/** openDataset options from parsed flag values; throws a UsageError (exit 2) for a malformed value. */
export function datasetOptionsFromFlags(values: FlagValues): OpenOptions {
  const options: OpenOptions = {};
  if (typeof values.grid === 'string') {
    const grid = parseGridText(values.grid);
    if (!grid) {
      throw new UsageError(`--grid must be D,H,W or D,H,W,C (positive integers), got '${values.grid}'`);
    }
    options.grid = grid;
  }
  if (typeof values.labels === 'string') {
    const labels = values.labels.split(',').map((s) => s.trim());
    if (labels.length < 2 || labels.some((l) => l === '') || new Set(labels).size !== labels.length) {
      throw new UsageError(
        `--labels must be at least 2 distinct non-empty names separated by commas, got '${values.labels}'`,
      );
    }
    options.labels = labels;
  }
  const names: Partial<DatasetNames> = {};
  for (const [flag, key] of NAME_FLAGS) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    if (value === '') throw new UsageError(`--${flag} must name a dataset`);
    names[key] = value;
  }
  if (Object.keys(names).length > 0) options.names = names;
  return options;
}
