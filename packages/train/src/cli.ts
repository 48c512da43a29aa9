#!/usr/bin/env node
// conv3d-train: exit 0 on success, 2 on a usage error, 1 on anything else (bad config, data, backend).
import { parseArgs, USAGE, UsageError } from './args.js';

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`conv3d-train: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  // Loaded only now: tfjs and vega take seconds to import, and usage errors should not wait for them.
  const [{ DataError }, { BackendError }, { CheckpointError }, { ConfigError }, { ModelFileError }, trainer] =
    await Promise.all([
      import('@conv3d/data'),
      import('./backend.js'),
      import('./checkpoint.js'),
      import('./config.js'),
      import('./model-io.js'),
      import('./train.js'),
    ]);
  try {
    await trainer.train({
      config: args.dropout ? trainer.SEED_DROPOUT_CONFIG_PATH : args.config,
      epochs: args.epochs,
      batchSize: args.batchSize,
      learningRate: args.learningRate,
      seed: args.seed,
      limit: args.limit,
      backend: args.backend,
      data: args.data,
      outDir: args.out,
      resume: args.resume,
    });
    return 0;
  } catch (err) {
    const known = [DataError, ConfigError, BackendError, CheckpointError, ModelFileError];
    if (known.some((E) => err instanceof E)) {
      console.error(`conv3d-train: ${(err as Error).name}: ${(err as Error).message}`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`conv3d-train: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
