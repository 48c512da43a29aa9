#!/usr/bin/env node
// conv3d-dataset: build the 3D MNIST HDF5 file or the synthetic segmentation set, inspect a file, or pack a folder
// of NIfTI scans into one.
import { type CliIo, parseCommandLine, runMain, UsageError } from '@conv3d/core/node';
import { VOXEL_TYPES, type VoxelType } from './build-dtype.js';
import { buildProgress } from './build-progress.js';
import { type BuildResult, buildDataset, DEFAULT_SEED, MAX_COPIES, MAX_GRID, MIN_GRID } from './builder.js';
import { parseGridText } from './grid.js';
import { inspectCommand } from './inspect-command.js';
import { DEFAULT_COPIES, MNIST_DIGITS } from './layout.js';
import { PACK_USAGE, packCommand } from './pack/pack-command.js';
import { defaultDatasetPath } from './paths.js';
import { DATASET_FLAGS_USAGE } from './read-flags.js';
import { buildShapesSeg, SHAPES_SEG_GRID, SHAPES_SEG_ROWS } from './shapes-seg.js';

const USAGE = `usage:
  conv3d-dataset build [--out FILE] [--grid N] [--digits TRAIN,TEST|all] [--copies N] [--dtype float64|float32]
                       [--seed N] [--compression gzip|none] [--workers N]
  conv3d-dataset shapes-seg --out FILE [--rows TRAIN,TEST] [--grid D,H,W] [--seed N]
  conv3d-dataset inspect FILE ${DATASET_FLAGS_USAGE}
  ${PACK_USAGE}`;

/** An integer flag in [min, max], else a usage error quoting what was given. */
function integerFlag(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max)) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return n;
}

function digitsFlag(text: string | undefined): { train: number; test: number } | undefined {
  if (text === undefined) return undefined;
  if (text === 'all') return { ...MNIST_DIGITS };
  const parts = text.split(',').map((p) => (p.trim() === '' ? Number.NaN : Number(p)));
  const [train, test] = parts as [number, number];
  if (
    !(
      parts.length === 2 &&
      Number.isInteger(train) &&
      Number.isInteger(test) &&
      train >= 1 &&
      test >= 1 &&
      train <= MNIST_DIGITS.train &&
      test <= MNIST_DIGITS.test
    )
  ) {
    throw new UsageError(
      `--digits must be 'all' or TRAIN,TEST (1 to ${MNIST_DIGITS.train}, 1 to ${MNIST_DIGITS.test}), got '${text}'`,
    );
  }
  return { train, test };
}

function gigabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

async function build(args: readonly string[], io: CliIo): Promise<void> {
  const { values } = parseCommandLine(args, {
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      grid: { type: 'string' },
      compression: { type: 'string' },
      digits: { type: 'string' },
      copies: { type: 'string' },
      dtype: { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const seed = integerFlag('seed', values.seed, 0, 0xffffffff) ?? DEFAULT_SEED;
  const grid = integerFlag('grid', values.grid, MIN_GRID, MAX_GRID);
  const copies = integerFlag('copies', values.copies, 0, MAX_COPIES) ?? DEFAULT_COPIES;
  const workers = integerFlag('workers', values.workers, 0, 64);
  const compression = values.compression ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') {
    throw new UsageError(`--compression must be gzip or none, got '${compression}'`);
  }
  const dtype = (values.dtype ?? 'float64') as VoxelType;
  if (!VOXEL_TYPES.includes(dtype)) {
    throw new UsageError(`--dtype must be ${VOXEL_TYPES.join(' or ')}, got '${values.dtype}'`);
  }
  const digits = digitsFlag(values.digits);
  const out = values.out ?? defaultDatasetPath();
  const progress = buildProgress(process.stderr);
  let result: BuildResult;
  try {
    result = await buildDataset({
      out,
      seed,
      ...(grid === undefined ? {} : { grid }),
      compression,
      copies,
      dtype,
      ...(digits ? { digits } : {}),
      ...(workers === undefined ? {} : { workers }),
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.stop();
  }
  const rows = result.train + result.test;
  io.log(
    `wrote ${result.path}: ${result.train} train + ${result.test} test rows of ${result.grid}³ ${result.dtype} ` +
      `(seed ${seed}, ${copies} rotated ${copies === 1 ? 'copy' : 'copies'} per digit, ${compression}), ` +
      `${gigabytes(result.voxelBytes)} of voxels in ${result.seconds.toFixed(1)} s ` +
      `(${(rows / result.seconds).toFixed(0)} rows/s)`,
  );
}

/** `shapes-seg`: the seeded segmentation set (shapes-seg.ts). */
async function shapesSeg(args: readonly string[], io: CliIo): Promise<void> {
  const { values } = parseCommandLine(args, {
    options: {
      out: { type: 'string' },
      rows: { type: 'string' },
      grid: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (values.out === undefined) throw new UsageError('shapes-seg needs --out FILE');
  const seed = integerFlag('seed', values.seed, 0, 0xffffffff) ?? DEFAULT_SEED;
  const grid = values.grid === undefined ? SHAPES_SEG_GRID : parseGridText(values.grid);
  if (grid?.length !== 3 || grid.some((n) => n < 4 || n > 256)) {
    throw new UsageError(`--grid must be D,H,W (4 to 256 each), got '${values.grid}'`);
  }
  const [train, test] = (values.rows ?? `${SHAPES_SEG_ROWS.train},${SHAPES_SEG_ROWS.test}`).split(',');
  const rows = {
    train: integerFlag('rows', train, 1, 100_000) as number,
    test: integerFlag('rows', test ?? '', 1, 100_000) as number,
  };
  const t0 = performance.now();
  const dims = grid as [number, number, number];
  await buildShapesSeg(values.out, { seed, rows, grid: dims });
  io.log(
    `wrote ${values.out}: ${rows.train} train + ${rows.test} test volumes of ${dims.join('×')} with per-voxel labels ` +
      `(seed ${seed}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

await runMain({ name: 'conv3d-dataset', usage: USAGE }, async (argv, io) => {
  const [command, ...rest] = argv;
  if (command === 'build') return build(rest, io);
  if (command === 'inspect') return inspectCommand(rest, io);
  if (command === 'shapes-seg') return shapesSeg(rest, io);
  if (command === 'pack') return packCommand(rest, io);
  throw new UsageError(command === undefined ? 'missing command' : `unknown command '${command}'`);
});
