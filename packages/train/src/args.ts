// conv3d-train's flags. Hand-rolled (node:util parseArgs has no per-flag value checks or one-line errors).
import { BACKEND_PREFERENCES, type BackendPreference } from './backend-names.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

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
  help: boolean;
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
  const args: CliArgs = { dropout: false, backend: 'auto', out: 'runs/seed', resume: false, help: false };
  const rest = [...argv];
  const value = (flag: string): string => {
    const v = rest.shift();
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag}: missing value`);
    return v;
  };
  while (rest.length > 0) {
    const arg = rest.shift() as string;
    const eq = arg.indexOf('=');
    const [flag, inline] =
      arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (inline !== undefined) rest.unshift(inline);
    switch (flag) {
      case '--config':
        args.config = value(flag);
        break;
      case '--dropout':
        args.dropout = true;
        break;
      case '--epochs':
        args.epochs = intFlag(flag, value(flag));
        break;
      case '--batch-size':
        args.batchSize = intFlag(flag, value(flag));
        break;
      case '--lr':
        args.learningRate = numberFlag(flag, value(flag));
        break;
      case '--seed':
        args.seed = intFlag(flag, value(flag));
        break;
      case '--limit':
        args.limit = intFlag(flag, value(flag));
        break;
      case '--backend': {
        const b = value(flag);
        if (!(BACKEND_PREFERENCES as readonly string[]).includes(b)) {
          throw new UsageError(
            `--backend: unknown backend '${b}' (expected ${BACKEND_PREFERENCES.join(', ')})`,
          );
        }
        args.backend = b as BackendPreference;
        break;
      }
      case '--data':
        args.data = value(flag);
        break;
      case '--out':
        args.out = value(flag);
        break;
      case '--resume':
        args.resume = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new UsageError(
          arg.startsWith('-')
            ? `unknown flag '${flag}' (see --help)`
            : `unexpected argument '${arg}' (see --help)`,
        );
    }
    if ((flag === '--dropout' || flag === '--resume' || flag === '--help') && inline !== undefined) {
      throw new UsageError(`${flag} takes no value`);
    }
  }
  if (args.config !== undefined && args.dropout) throw new UsageError('--config and --dropout are exclusive');
  const envEpochs = env.CONV3D_EPOCHS;
  if (args.epochs === undefined && envEpochs !== undefined && envEpochs !== '') {
    args.epochs = intFlag('CONV3D_EPOCHS', envEpochs);
  }
  return args;
}
