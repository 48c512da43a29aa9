#!/usr/bin/env node
// conv3d-dataset: build the 3D MNIST HDF5 file, or inspect one.
import { type CliIo, parseCommandLine, runMain, UsageError } from '@conv3d/core/node';
import cliProgress from 'cli-progress';
import { type BuildResult, buildDataset, DEFAULT_SEED } from './builder.js';
import { ROW_LENGTH, SPLITS } from './layout.js';
import { defaultDatasetPath } from './paths.js';
import { openDataset } from './reader.js';

const USAGE = `usage:
  conv3d-dataset build [--out FILE] [--seed N] [--compression gzip|none] [--digits TRAIN,TEST]
  conv3d-dataset inspect FILE`;

async function build(args: readonly string[], io: CliIo): Promise<void> {
  const { values } = parseCommandLine(args, {
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      compression: { type: 'string' },
      digits: { type: 'string' },
    },
  });
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UsageError(`--seed must be an integer in [0, 2^32), got '${values.seed}'`);
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
    `wrote ${result.path}: ${result.train} train + ${result.test} test rows ` +
      `(seed ${seed}, ${compression}) in ${result.seconds.toFixed(1)} s`,
  );
}

async function inspect(args: readonly string[], io: CliIo): Promise<void> {
  const { positionals } = parseCommandLine(args, { options: {}, allowPositionals: true });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('inspect takes exactly one FILE');
  const ds = await openDataset(file);
  try {
    io.log(file);
    for (const split of SPLITS) {
      const info = ds.info(split);
      // Reading every batch checks every voxel (finite, in [0, 1]).
      let nonzero = 0;
      for (const batch of ds.batches(split, 500, { reuse: true }))
        for (const v of batch.x) if (v !== 0) nonzero++;
      const histogram = info.labelCounts.map((n, label) => `${label}:${n}`).join(' ');
      io.log(
        `  ${split}: ${info.rows} rows, X ${info.xDtype} (${info.rows},${ROW_LENGTH}) [${info.compression}], ` +
          `y ${info.yDtype} (${info.rows},); ${(nonzero / Math.max(1, info.rows)).toFixed(1)} nonzero voxels/row; ` +
          `labels ${histogram}`,
      );
    }
    io.log('  all voxels finite and in [0, 1], all labels in 0–9');
  } finally {
    ds.close();
  }
}

await runMain({ name: 'conv3d-dataset', usage: USAGE }, async (argv, io) => {
  const [command, ...rest] = argv;
  if (command === 'build') return build(rest, io);
  if (command === 'inspect') return inspect(rest, io);
  throw new UsageError(command === undefined ? 'missing command' : `unknown command '${command}'`);
});
