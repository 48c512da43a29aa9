// The training run: Keras's fit(shuffle=True, validation_split) reproduced step by step with a seeded shuffle,
// per-batch preprocessing, a checkpoint after every epoch, then the test evaluation and the run folder.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractToMetadata, deriveSeed, permutation, withTestAccuracy } from '@conv3d/core';
import { writeFileAtomic } from '@conv3d/core/node';
import { defaultDatasetPath, openDataset, validationSplitIndex } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';
import { type BackendChoice, type BackendPreference, describeBackend, selectBackend } from './backend.js';
import { gatherLabels, gatherRows, type RawRows, readRows, type TrainingData, toTensors } from './batches.js';
import { checkpointExists, type LoopState, restoreCheckpoint, saveCheckpoint } from './checkpoint.js';
import { ConfigError, checkSetting, loadTrainConfig, type TrainConfig } from './config.js';
import { DATASET_CONTRACT } from './dataset-contract.js';
import { type Evaluation, Evaluator } from './evaluate.js';
import { appendEpoch, type EpochMetrics, emptyHistory, formatEpochLine, type History } from './history.js';
import { buildModel } from './model.js';
import { saveModelToDir } from './model-io.js';
import { renderCurves } from './plots.js';
import { epochProgress } from './progress.js';
import { renderReport } from './report.js';

/** The seed tutorial's model and settings. */
export const SEED_CONFIG_PATH = fileURLToPath(new URL('../configs/seed.json', import.meta.url));
/** The seed's Dropout(0.5) variant. */
export const SEED_DROPOUT_CONFIG_PATH = fileURLToPath(
  new URL('../configs/seed-dropout.json', import.meta.url),
);

export const CHECKPOINT_FILE = 'checkpoint.bin';

export interface TrainOptions {
  /** A validated config or the path of a config file (default: the seed config). */
  config?: TrainConfig | string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Use only the first `limit` rows of each split (quick runs). */
  limit?: number;
  backend?: BackendPreference;
  /** An HDF5 path or an open dataset (left open); default: @conv3d/data's defaultDatasetPath(). */
  data?: string | TrainingData;
  /** The run folder (created if needed). */
  outDir: string;
  /** Continue from the run folder's checkpoint when there is one. */
  resume?: boolean;
  /** Draw the per-epoch progress bar (default: when stderr is a terminal). */
  progress?: boolean;
  /** Where status lines go (default: console.log). */
  log?: (line: string) => void;
}

export interface RunInfo {
  config: TrainConfig;
  configSource: string;
  backend: BackendChoice;
  seed: number;
  dataset: {
    path: string;
    trainRows: number;
    validationRows: number;
    testRows: number;
    limit: number | null;
  };
  resumedFromEpoch: number | null;
  timings: {
    startedAt: string;
    finishedAt: string;
    totalSeconds: number;
    epochSeconds: number[];
    meanEpochSeconds: number;
    testSeconds: number;
  };
  peakRssMB: number;
  versions: { tfjs: string; node: string };
}

export interface TrainResult {
  /** The trained model, still compiled with its Adam state: it can train further. */
  model: tf.LayersModel;
  history: History;
  test: Evaluation;
  run: RunInfo;
  outDir: string;
  /** Frees the model's weights and the optimizer's state; `model.dispose()` alone leaves Adam's moments. */
  dispose(): void;
}

// tfjs-layers only disposes an optimizer it created from a name; ours is built with the config's settings.
function disposeTrained(model: tf.LayersModel): void {
  const { optimizer } = model;
  model.dispose();
  optimizer?.dispose();
}

function resolveConfig(options: TrainOptions): { config: TrainConfig; source: string } {
  const given = options.config ?? SEED_CONFIG_PATH;
  const base = typeof given === 'string' ? loadTrainConfig(given) : given;
  const source = typeof given === 'string' ? given : `config '${given.name}'`;
  const config: TrainConfig = {
    ...base,
    optimizer: { ...base.optimizer, config: { ...base.optimizer.config } },
  };
  const override = (flag: string, key: 'epochs' | 'batchSize' | 'seed', value: number | undefined): void => {
    if (value === undefined) return;
    checkSetting(flag, key, value);
    config[key] = value;
  };
  override('--epochs', 'epochs', options.epochs);
  override('--batch-size', 'batchSize', options.batchSize);
  override('--seed', 'seed', options.seed);
  if (options.learningRate !== undefined) {
    checkSetting('--lr', 'learningRate', options.learningRate);
    config.optimizer.config.learningRate = options.learningRate;
  }
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit > 0)) {
    throw new ConfigError(`--limit: must be a positive integer, got ${options.limit}`);
  }
  return { config, source };
}

/** Dropout layers read their `seed` field at every call; one seed per (epoch, step) keeps masks reproducible. */
function dropoutSeeder(model: tf.LayersModel): { set(seed: number): void; restore(): void } {
  const layers = model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as Array<{
    seed?: number;
  }>;
  const original = layers.map((l) => l.seed);
  return {
    set: (seed) =>
      layers.forEach((l, i) => {
        l.seed = deriveSeed(seed, i);
      }),
    restore: () =>
      layers.forEach((l, i) => {
        l.seed = original[i];
      }),
  };
}

interface TrainRows {
  x: RawRows;
  y: Int32Array;
  split: number;
  count: number;
}

function validate(model: tf.LayersModel, rows: TrainRows, batchSize: number): Evaluation {
  const evaluator = new Evaluator(model);
  for (let start = rows.split; start < rows.count; start += batchSize) {
    const n = Math.min(batchSize, rows.count - start);
    evaluator.add(
      rows.x.subarray(start * DATASET_CONTRACT.rawLength, (start + n) * DATASET_CONTRACT.rawLength),
      rows.y.subarray(start, start + n),
      n,
    );
  }
  return evaluator.result();
}

async function trainEpoch(
  model: tf.LayersModel,
  rows: TrainRows,
  config: TrainConfig,
  epoch: number,
  progressEnabled: boolean,
): Promise<{ loss: number; accuracy: number }> {
  const order = permutation(rows.split, deriveSeed(config.seed, epoch));
  const steps = Math.ceil(rows.split / config.batchSize);
  const dropout = dropoutSeeder(model);
  const bar = epochProgress(epoch + 1, config.epochs, steps, progressEnabled);
  let lossSum = 0;
  let accSum = 0;
  let seen = 0;
  try {
    for (let step = 0; step < steps; step++) {
      const idx = order.subarray(
        step * config.batchSize,
        Math.min(rows.split, (step + 1) * config.batchSize),
      );
      const { xs, ys } = toTensors(gatherRows(rows.x, idx), gatherLabels(rows.y, idx), idx.length);
      dropout.set(deriveSeed(config.seed, epoch, step));
      let out: number | number[];
      try {
        out = await model.trainOnBatch(xs, ys);
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const [loss, acc] = Array.isArray(out) ? out : [out, Number.NaN];
      // Keras reports the sample-weighted mean over the epoch's batches.
      lossSum += (loss as number) * idx.length;
      accSum += (acc as number) * idx.length;
      seen += idx.length;
      bar.update(step + 1, lossSum / seen, accSum / seen);
    }
  } finally {
    bar.stop();
    dropout.restore();
  }
  return { loss: lossSum / seen, accuracy: accSum / seen };
}

function testSplit(ds: TrainingData, model: tf.LayersModel, rows: number, batchSize: number): Evaluation {
  const evaluator = new Evaluator(model);
  for (const batch of ds.batches('test', batchSize, { start: 0, end: rows })) {
    evaluator.add(batch.x, batch.y, batch.count);
  }
  return evaluator.result();
}

/**
 * Trains a model as configured and writes the run folder: model.json + weights.bin, history.json,
 * metrics.json, run.json, loss.svg, accuracy.svg, report.html and the checkpoint.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const { config, source } = resolveConfig(options);
  const outDir = resolve(options.outDir);
  const backend = await selectBackend(options.backend ?? 'auto');
  log(describeBackend(backend));

  const ds =
    typeof options.data === 'object' ? options.data : await openDataset(options.data ?? defaultDatasetPath());
  try {
    const limit = options.limit ?? null;
    const trainCount = Math.min(limit ?? Number.POSITIVE_INFINITY, ds.count('train'));
    const testCount = Math.min(limit ?? Number.POSITIVE_INFINITY, ds.count('test'));
    const raw = readRows(ds, 'train', trainCount);
    const rows: TrainRows = {
      x: raw.x,
      y: raw.y,
      count: trainCount,
      split: validationSplitIndex(trainCount, config.validationSplit),
    };
    if (rows.split === 0)
      throw new ConfigError(`${source}: no training rows left after the validation split`);
    log(
      `Data: ${ds.path} - ${rows.split} train, ${trainCount - rows.split} validation, ${testCount} test samples`,
    );

    const model = buildModel(config);
    try {
      const ckptPath = join(outDir, CHECKPOINT_FILE);
      const { epochs: _epochs, ...settings } = config;
      const fingerprint = JSON.stringify({ settings, data: resolve(ds.path), trainCount, testCount });
      let state: LoopState = { fingerprint, epochsDone: 0, history: emptyHistory(), epochSeconds: [] };
      let resumedFromEpoch: number | null = null;
      if (options.resume && checkpointExists(ckptPath)) {
        state = await restoreCheckpoint(ckptPath, model, fingerprint);
        resumedFromEpoch = state.epochsDone;
        if (state.epochsDone > config.epochs) {
          throw new ConfigError(
            `--epochs ${config.epochs} is below the ${state.epochsDone} epochs already in ${ckptPath}`,
          );
        }
        log(`Resuming from ${ckptPath} after epoch ${state.epochsDone}`);
      } else if (options.resume) {
        log(`No checkpoint in ${outDir}; starting from epoch 1`);
      }

      const progressEnabled = options.progress ?? process.stderr.isTTY === true;
      for (let epoch = state.epochsDone; epoch < config.epochs; epoch++) {
        const e0 = performance.now();
        const fit = await trainEpoch(model, rows, config, epoch, progressEnabled);
        const val = validate(model, rows, config.batchSize);
        const metrics: EpochMetrics = { ...fit, val_loss: val.loss, val_accuracy: val.accuracy };
        const seconds = (performance.now() - e0) / 1000;
        appendEpoch(state.history, metrics);
        state.epochSeconds.push(seconds);
        state.epochsDone = epoch + 1;
        await saveCheckpoint(ckptPath, model, state);
        log(formatEpochLine(epoch + 1, config.epochs, seconds, metrics));
      }

      const testStart = performance.now();
      const test = testSplit(ds, model, testCount, config.batchSize);
      const testSeconds = (performance.now() - testStart) / 1000;
      log(
        `Test: loss ${test.loss.toFixed(4)} - accuracy ${test.accuracy.toFixed(4)} (${test.count} samples)`,
      );

      const run: RunInfo = {
        config,
        configSource: source,
        backend,
        seed: config.seed,
        dataset: {
          path: ds.path,
          trainRows: rows.split,
          validationRows: trainCount - rows.split,
          testRows: testCount,
          limit,
        },
        resumedFromEpoch,
        timings: {
          startedAt: startedAt.toISOString(),
          finishedAt: '',
          totalSeconds: 0,
          epochSeconds: state.epochSeconds,
          meanEpochSeconds:
            state.epochSeconds.reduce((a, b) => a + b, 0) / Math.max(1, state.epochSeconds.length),
          testSeconds,
        },
        peakRssMB: 0,
        versions: { tfjs: tf.version.tfjs, node: process.version },
      };
      await writeRunFolder(outDir, model, state.history, test, run, t0);
      log(`Wrote ${outDir}`);
      return { model, history: state.history, test, run, outDir, dispose: () => disposeTrained(model) };
    } catch (err) {
      disposeTrained(model);
      throw err;
    }
  } finally {
    if (typeof options.data !== 'object') ds.close();
  }
}

async function writeRunFolder(
  outDir: string,
  model: tf.LayersModel,
  history: History,
  test: Evaluation,
  run: RunInfo,
  t0: number,
): Promise<void> {
  model.setUserDefinedMetadata({
    conv3d: contractToMetadata(
      withTestAccuracy(DATASET_CONTRACT, Number.isFinite(test.accuracy) ? test.accuracy : undefined),
    ),
  });
  await saveModelToDir(model, outDir);
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  writeFileAtomic(join(outDir, 'history.json'), json(history));
  writeFileAtomic(join(outDir, 'metrics.json'), json({ test }));
  const curves = await renderCurves(history);
  writeFileAtomic(join(outDir, 'loss.svg'), curves.loss);
  writeFileAtomic(join(outDir, 'accuracy.svg'), curves.accuracy);
  run.timings.finishedAt = new Date().toISOString();
  run.timings.totalSeconds = (performance.now() - t0) / 1000;
  // maxRSS is in kilobytes.
  run.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const summary: Record<string, string> = {
    config: `${run.config.name} (${run.configSource})`,
    backend: `${run.backend.name} (tfjs '${run.backend.tfBackend}')`,
    seed: String(run.seed),
    epochs: String(history.loss.length),
    'batch size': String(run.config.batchSize),
    'learning rate': String(run.config.optimizer.config.learningRate),
    data: `${run.dataset.path}: ${run.dataset.trainRows} train, ${run.dataset.validationRows} validation, ${run.dataset.testRows} test`,
    'mean epoch time': `${run.timings.meanEpochSeconds.toFixed(1)} s`,
    'total time': `${run.timings.totalSeconds.toFixed(1)} s`,
  };
  writeFileAtomic(
    join(outDir, 'report.html'),
    renderReport({ title: `conv3d-train: ${run.config.name}`, summary, test, history, curves }),
  );
  writeFileAtomic(join(outDir, 'run.json'), json(run));
}
