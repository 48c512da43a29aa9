#!/usr/bin/env node
// conv3d-dataset: build the 3D MNIST HDF5 file, or inspect one.
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { type BuildResult, buildDataset, DEFAULT_SEED, MAX_GRID, MIN_GRID } from './builder.js';
import { inspectCommand } from './inspect-command.js';
import { defaultDatasetPath } from './paths.js';
import { DATASET_FLAGS_USAGE, DatasetFlagError } from './read-flags.js';

const USAGE = `usage:
  conv3d-dataset build [--out FILE] [--grid N] [--seed N] [--compression gzip|none] [--digits TRAIN,TEST]
  conv3d-dataset inspect FILE ${DATASET_FLAGS_USAGE}`;

/** A command-line mistake: exit code 2. */
class UsageError extends Error {}

async function build(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      grid: { type: 'string' },
      compression: { type: 'string' },
      digits: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UsageError(`--seed must be an integer in [0, 2^32), got '${values.seed}'`);
  }
  const grid = values.grid === undefined ? undefined : Number(values.grid);
  if (grid !== undefined && !(Number.isInteger(grid) && grid >= MIN_GRID && grid <= MAX_GRID)) {
    throw new UsageError(`--grid must be an integer from ${MIN_GRID} to ${MAX_GRID}, got '${values.grid}'`);
  }
  const compression = values.compression ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') {
    throw new UsageError(`--compression must be gzip or none, got '${compression}'`);
  }
  let digits: { train: number; test: number } | undefined;
  if (values.digits !== undefined) {
    const parts = values.digits.split(',').map(Number);
    if (parts.length !== 2 || !parts.every((n) => Number.isInteger(n) && n > 0)) {
      throw new UsageError(`--digits must be TRAIN,TEST (two positive integers), got '${values.digits}'`);
    }
    digits = { train: parts[0] as number, test: parts[1] as number };
  }
  const out = values.out ?? defaultDatasetPath();
  const bar = new cliProgress.SingleBar(
    {
      format: 'building 3D MNIST [{bar}] {percentage}% | {value}/{total} rows | {duration}s',
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let result: BuildResult;
  try {
    result = await buildDataset({
      out,
      seed,
      ...(grid === undefined ? {} : { grid }),
      compression,
      ...(digits ? { digits } : {}),
      onProgress: (done, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    });
  } finally {
    bar.stop();
  }
  console.log(
    `wrote ${result.path}: ${result.train} train + ${result.test} test rows of ${result.grid}³ ` +
      `(seed ${seed}, ${compression}) in ${result.seconds.toFixed(1)} s`,
  );
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'build') return build(rest);
  if (command === 'inspect') return inspectCommand(rest, console.log);
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    if (command === undefined) process.exitCode = 2;
    return;
  }
  throw new UsageError(`unknown command '${command}'`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const parseError =
    error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
  if (error instanceof UsageError || error instanceof DatasetFlagError || parseError) {
    const message = (error as Error).message.split('\n')[0];
    console.error(`conv3d-dataset: ${message} (see conv3d-dataset --help)`);
    process.exitCode = 2;
  } else {
    console.error(`conv3d-dataset: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
});
