#!/usr/bin/env node
// conv3d-ensemble RUN... --out DIR [--split test|validation] [--tta NAME] [--data FILE] [--batch-size N]
// [--backend NAME], on the shared CLI skeleton: exit 0 on success, 2 on a usage error, 1 on anything else.
import { parseCommandLine, runMain, UsageError } from '@conv3d/core/node';
import { BACKEND_PREFERENCES, type BackendPreference } from '../backend-names.js';
import { TTA_NAMES, type TtaName } from './tta.js';

const USAGE = `Usage: conv3d-ensemble RUN... [--out DIR] [--split test|validation] [--tta ${TTA_NAMES.join('|')}]
                       [--data FILE] [--batch-size N] [--backend ${BACKEND_PREFERENCES.join('|')}]

Scores the mean of the members' probabilities (training run folders sharing one contract and one dataset) and
writes an ensemble run folder (default runs/ensemble): metrics.json (overall, originals, rotated copies, confusion,
each member beside it) and run.json listing the members; conv3d-export DIR makes it one ONNX file.
  --split validation  score the members' validation rows instead of the test rows (to choose settings)
  --tta NAME          average each member over test-time views first: shift (±1 voxel per axis), rotate (±10°
                      about each axis), shift+rotate; none by default`;

await runMain({ name: 'conv3d-ensemble', usage: USAGE }, async (argv) => {
  const { values, positionals } = parseCommandLine(argv, {
    options: {
      out: { type: 'string', short: 'o' },
      split: { type: 'string' },
      tta: { type: 'string' },
      data: { type: 'string' },
      'batch-size': { type: 'string' },
      backend: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new UsageError('expected at least one run folder');
  const split = values.split ?? 'test';
  if (split !== 'test' && split !== 'validation') {
    throw new UsageError(`--split must be test or validation, got '${split}'`);
  }
  const tta = values.tta ?? 'none';
  if (!TTA_NAMES.includes(tta as TtaName)) {
    throw new UsageError(`--tta must be one of ${TTA_NAMES.join(', ')}, got '${tta}'`);
  }
  const backend = values.backend ?? 'auto';
  if (!BACKEND_PREFERENCES.includes(backend as BackendPreference)) {
    throw new UsageError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, got '${backend}'`);
  }
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new UsageError(`--batch-size must be a positive integer, got '${values['batch-size']}'`);
  }
  // Loaded only now: tfjs takes seconds to import, and usage errors should not wait for it.
  const { scoreEnsemble } = await import('./score.js');
  await scoreEnsemble({
    members: positionals,
    outDir: values.out ?? 'runs/ensemble',
    split,
    tta: tta as TtaName,
    backend: backend as BackendPreference,
    ...(values.data !== undefined && { data: values.data }),
    ...(batchSize !== undefined && { batchSize }),
  });
});
