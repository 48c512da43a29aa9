#!/usr/bin/env node
// conv3d-train, on the shared CLI skeleton: exit 0 on success, 2 on a usage error, 1 on anything else (bad config,
// data, backend).
import { runMain } from '@conv3d/core/node';
import { parseArgs, USAGE } from './args.js';

await runMain({ name: 'conv3d-train', usage: USAGE }, async (argv) => {
  const args = parseArgs(argv);
  // Loaded only now: tfjs and vega take seconds to import, and usage errors should not wait for them.
  const trainer = await import('./train.js');
  await trainer.train({
    config: args.dropout ? trainer.SEED_DROPOUT_CONFIG_PATH : args.config,
    epochs: args.epochs,
    stepsPerEpoch: args.stepsPerEpoch,
    batchSize: args.batchSize,
    learningRate: args.learningRate,
    seed: args.seed,
    limit: args.limit,
    backend: args.backend,
    data: args.data,
    dataOptions: args.dataOptions,
    outDir: args.out,
    resume: args.resume,
    stream: args.stream,
  });
});
