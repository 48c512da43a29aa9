// `conv3d-dataset pack SOURCE --out FILE`: flags → packDataset, with build's progress display.
import { type IntensitySpec, isOrientation, type VolumePreparation } from '@conv3d/core';
import { type CliIo, parseCommandLine, UsageError } from '@conv3d/core/node';
import { buildProgress } from '../build-progress.js';
import { packDataset } from './pack.js';

export const PACK_USAGE = `conv3d-dataset pack FOLDER|FILE.csv --out FILE [--grid D,H,W | --spacing X,Y,Z] [--orientation RAS]
                      [--intensity none|minmax|zscore|zscore-nonzero|window:aMin,aMax,bMin,bMax]
                      [--seed N] [--test-fraction F] [--compression gzip|none] [--workers N]`;

function numbers(
  name: string,
  text: string | undefined,
  count: number,
  integer: boolean,
): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((p) => (p.trim() === '' ? Number.NaN : Number(p)));
  const ok =
    parts.length === count &&
    parts.every((n) => n > 0 && Number.isFinite(n) && (!integer || Number.isInteger(n)));
  if (!ok) {
    throw new UsageError(
      `--${name} must be ${count} positive ${integer ? 'integers' : 'numbers'} a,b,c, got '${text}'`,
    );
  }
  return parts;
}

function intensityFlag(text: string | undefined): IntensitySpec {
  if (text === undefined || text === 'none') return { kind: 'none' };
  if (text === 'minmax') return { kind: 'minmax' };
  if (text === 'zscore' || text === 'zscore-nonzero')
    return { kind: 'zscore', nonzero: text === 'zscore-nonzero' };
  const window = /^window:(.+)$/.exec(text);
  const v = window?.[1]?.split(',').map(Number);
  if (v?.length === 4 && v.every(Number.isFinite) && (v[1] as number) > (v[0] as number)) {
    const [aMin, aMax, bMin, bMax] = v as [number, number, number, number];
    return { kind: 'window', aMin, aMax, bMin, bMax, clip: true };
  }
  throw new UsageError(
    `--intensity must be none, minmax, zscore, zscore-nonzero or window:aMin,aMax,bMin,bMax (aMax > aMin), got '${text}'`,
  );
}

export async function packCommand(args: readonly string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommandLine(args, {
    options: {
      out: { type: 'string' },
      grid: { type: 'string' },
      spacing: { type: 'string' },
      orientation: { type: 'string' },
      intensity: { type: 'string' },
      seed: { type: 'string' },
      'test-fraction': { type: 'string' },
      compression: { type: 'string' },
      workers: { type: 'string' },
    },
    allowPositionals: true,
  });
  const [source, ...extra] = positionals;
  if (source === undefined || extra.length > 0)
    throw new UsageError('pack takes exactly one FOLDER or FILE.csv');
  if (values.out === undefined) throw new UsageError('pack needs --out FILE');
  const grid = numbers('grid', values.grid, 3, true) as [number, number, number] | undefined;
  const spacing = numbers('spacing', values.spacing, 3, false) as [number, number, number] | undefined;
  if (grid && spacing) throw new UsageError('give --grid or --spacing, not both');
  const orientation = values.orientation ?? 'RAS';
  if (!isOrientation(orientation)) {
    throw new UsageError(
      `--orientation must be 3 axis codes (one of L/R, P/A, I/S each) or 'stored', got '${orientation}'`,
    );
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new UsageError(`--seed must be an integer from 0 to 4294967295, got '${values.seed}'`);
  }
  const testFraction = values['test-fraction'] === undefined ? 0.2 : Number(values['test-fraction']);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new UsageError(`--test-fraction must be between 0 and 1, got '${values['test-fraction']}'`);
  }
  const compression = values.compression ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') {
    throw new UsageError(`--compression must be gzip or none, got '${compression}'`);
  }
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 64)) {
    throw new UsageError(`--workers must be an integer from 0 to 64, got '${values.workers}'`);
  }
  const preparation: VolumePreparation = {
    orientation,
    ...(spacing ? { spacing } : {}),
    intensity: intensityFlag(values.intensity),
  };
  const progress = buildProgress(process.stderr, undefined, 'packing scans', 'scans');
  try {
    const result = await packDataset({
      source,
      out: values.out,
      preparation,
      seed,
      testFraction,
      compression,
      ...(grid ? { grid } : {}),
      ...(workers === undefined ? {} : { workers }),
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.stop();
    const { rows, shape, sources } = result;
    const total = rows.train + rows.test;
    io.log(
      `wrote ${result.path}: ${rows.train} train + ${rows.test} test ${sources.task === 'segment' ? 'scan/label pairs' : 'scans'} ` +
        `(${sources.layout}, ${sources.labels.length} labels) of ${shape.slice(0, 3).join('×')}×${shape[3]} (D×H×W×C) float32 ` +
        `in ${result.seconds.toFixed(1)} s (${(total / result.seconds).toFixed(1)} scans/s)`,
    );
  } finally {
    progress.stop();
  }
}
