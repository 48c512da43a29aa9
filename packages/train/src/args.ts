// conv3d-train's flags: node:util parseArgs (through the shared CLI skeleton), then per-flag value checks.
import { parseCommandLine, UsageError } from '@conv3d/core/node';
import {
  DATASET_FLAG_OPTIONS,
  DATASET_FLAGS_USAGE,
  datasetOptionsFromFlags,
  type OpenOptions,
} from '@conv3d/data';
import { BACKEND_PREFERENCES, type BackendPreference } from './backend-names.js';

export interface CliArgs {
  config?: string;
  dropout: boolean;
  epochs?: number;
  stepsPerEpoch?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  limit?: number;
  backend: BackendPreference;
  data?: string;
  /** How to read --data (dataset names, grid, label names). */
  dataOptions: OpenOptions;
  out: string;
  resume: boolean;
  /** --stream: true, --no-stream: false, neither: chosen by size. */
  stream?: boolean;
}

export const USAGE = `Usage: conv3d-train [--config FILE | --dropout] [--epochs N] [--steps-per-epoch N] [--batch-size N]
                    [--lr X] [--seed N] [--limit N] [--backend auto|tfjs-node-gpu|tfjs-node|fast-cpu|cpu]
                    [--data FILE] [--stream | --no-stream] [--out DIR] [--resume] ${DATASET_FLAGS_USAGE}

Trains a 3D CNN on any HDF5 volumes (default: 3D MNIST and the seed config) and writes the run folder
(default runs/seed). The first layer's inputShape and the last Dense's units come from the data when the
config leaves them out; the config's "preprocessing" defaults to oranges-rgb for 3D MNIST, minmax otherwise.
  --config FILE   training config (JSON); --dropout uses the seed's Dropout(0.5) variant
  --epochs N      override the config's epochs (default also from CONV3D_EPOCHS)
  --steps-per-epoch N  Keras's steps_per_epoch: N batches per epoch (default one pass over the training
                  rows); epochs continue through the seeded shuffled passes where the last one stopped
  --batch-size N  override the batch size        --lr X     override Adam's learning rate
  --seed N        override the seed              --limit N  use the first N rows of each split
  --backend B     force a backend (default auto: tfjs-node-gpu, tfjs-node, fast-cpu, cpu)
  --data FILE     HDF5 dataset (default: @conv3d/data's built dataset); --grid, --labels and the dataset
                  names say how to read it, as for conv3d-dataset inspect
  --stream        read batches from the file as training goes (bounded memory, read ahead on a worker
                  thread); --no-stream reads the training rows into memory; default: stream when they would
                  take more than 1 GiB. Both give the same results
  --out DIR       run folder                     --resume   continue from DIR's last checkpoint`;

const intFlag = (flag: string, text: string): number => {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: expected a non-negative integer, got '${text}'`);
  return Number(text);
};

const numberFlag = (flag: string, text: string): number => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`${flag}: expected a number, got '${text}'`);
  return value;
};

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliArgs {
  const { values } = parseCommandLine(argv, {
    options: {
      config: { type: 'string' },
      dropout: { type: 'boolean' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      limit: { type: 'string' },
      backend: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean' },
      'steps-per-epoch': { type: 'string' },
      stream: { type: 'boolean' },
      'no-stream': { type: 'boolean' },
      ...DATASET_FLAG_OPTIONS,
    },
  });
  const int = (flag: string, text: string | undefined) =>
    text === undefined ? undefined : intFlag(flag, text);
  const backend = values.backend ?? 'auto';
  if (!(BACKEND_PREFERENCES as readonly string[]).includes(backend)) {
    throw new UsageError(
      `--backend: unknown backend '${backend}' (expected ${BACKEND_PREFERENCES.join(', ')})`,
    );
  }
  const args: CliArgs = {
    config: values.config,
    dropout: values.dropout ?? false,
    epochs: int('--epochs', values.epochs),
    stepsPerEpoch: int('--steps-per-epoch', values['steps-per-epoch']),
    batchSize: int('--batch-size', values['batch-size']),
    learningRate: values.lr === undefined ? undefined : numberFlag('--lr', values.lr),
    seed: int('--seed', values.seed),
    limit: int('--limit', values.limit),
    backend: backend as BackendPreference,
    data: values.data,
    dataOptions: datasetOptionsFromFlags(values),
    out: values.out ?? 'runs/seed',
    resume: values.resume ?? false,
    stream: values.stream ? true : values['no-stream'] ? false : undefined,
  };
  if (values.stream && values['no-stream']) throw new UsageError('--stream and --no-stream are exclusive');
  if (args.config !== undefined && args.dropout) throw new UsageError('--config and --dropout are exclusive');
  const envEpochs = env.CONV3D_EPOCHS;
  if (args.epochs === undefined && envEpochs !== undefined && envEpochs !== '') {
    args.epochs = intFlag('CONV3D_EPOCHS', envEpochs);
  }
  return args;
}
