// conv3d-train's flags: node:util parseArgs (through the shared CLI skeleton), then per-flag value checks.
import { parseCommandLine, UsageError } from '@conv3d/core/node';
import { BACKEND_PREFERENCES, type BackendPreference } from './backend-names.js';

export interface CliArgs {
  config?: string;
  dropout: boolean;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  limit?: number;
  backend: BackendPreference;
  data?: string;
  out: string;
  resume: boolean;
}

export const USAGE = `Usage: conv3d-train [--config FILE | --dropout] [--epochs N] [--batch-size N] [--lr X] [--seed N]
                    [--limit N] [--backend auto|tfjs-node-gpu|tfjs-node|fast-cpu|cpu] [--data FILE]
                    [--out DIR] [--resume]

Trains a 3D CNN on 3D MNIST (default: the seed config) and writes the run folder (default runs/seed).
  --config FILE   training config (JSON); --dropout uses the seed's Dropout(0.5) variant
  --epochs N      override the config's epochs (default also from CONV3D_EPOCHS)
  --batch-size N  override the batch size        --lr X     override Adam's learning rate
  --seed N        override the seed              --limit N  use the first N rows of each split
  --backend B     force a backend (default auto: tfjs-node-gpu, tfjs-node, fast-cpu, cpu)
  --data FILE     HDF5 dataset (default: @conv3d/data's built dataset)
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
    batchSize: int('--batch-size', values['batch-size']),
    learningRate: values.lr === undefined ? undefined : numberFlag('--lr', values.lr),
    seed: int('--seed', values.seed),
    limit: int('--limit', values.limit),
    backend: backend as BackendPreference,
    data: values.data,
    out: values.out ?? 'runs/seed',
    resume: values.resume ?? false,
  };
  if (args.config !== undefined && args.dropout) throw new UsageError('--config and --dropout are exclusive');
  const envEpochs = env.CONV3D_EPOCHS;
  if (args.epochs === undefined && envEpochs !== undefined && envEpochs !== '') {
    args.epochs = intFlag('CONV3D_EPOCHS', envEpochs);
  }
  return args;
}
