#!/usr/bin/env node
// conv3d-dataset: build the 3D MNIST HDF5 file, or inspect one.
import { type CliIo, parseCommandLine, runMain, UsageError } from '@conv3d/core/node';
import cliProgress from 'cli-progress';
import { type BuildResult, buildDataset, DEFAULT_SEED, MAX_GRID, MIN_GRID } from './builder.js';
import { inspectCommand } from './inspect-command.js';
import { defaultDatasetPath } from './paths.js';
import { DATASET_FLAGS_USAGE } from './read-flags.js';

const USAGE = `usage:
  conv3d-dataset build [--out FILE] [--grid N] [--seed N] [--compression gzip|none] [--digits TRAIN,TEST]
  conv3d-dataset inspect FILE ${DATASET_FLAGS_USAGE}`;

async function build(args: readonly string[], io: CliIo): Promise<void> {
  const { values } = parseCommandLine(args, {
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      grid: { type: 'string' },
      compression: { type: 'string' },
      digits: { type: 'string' },
    },
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
  io.log(
    `wrote ${result.path}: ${result.train} train + ${result.test} test rows of ${result.grid}³ ` +
      `(seed ${seed}, ${compression}) in ${result.seconds.toFixed(1)} s`,
  );
}

await runMain({ name: 'conv3d-dataset', usage: USAGE }, async (argv, io) => {
  const [command, ...rest] = argv;
  if (command === 'build') return build(rest, io);
  if (command === 'inspect') return inspectCommand(rest, io);
  throw new UsageError(command === undefined ? 'missing command' : `unknown command '${command}'`);
});
