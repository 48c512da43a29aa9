// The training run: Keras's fit(shuffle=True, validation_split) reproduced step by step with a seeded shuffle,
// per-batch preprocessing, a checkpoint after every epoch, then the test evaluation and the run folder. What a
// step, a score and a report section are belongs to the run's task (tasks/: classification or segmentation).
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractToMetadata, deriveSeed, type ModelContract, SEED_CONTRACT } from '@conv3d/core';
import { defaultDatasetPath, type OpenOptions, openDataset, validationSplitIndex } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';
import type { RawBatch } from './augmentation/epoch-rows.js';
import { prepareAugmentation } from './augmentation/prepare.js';
import { type BackendChoice, type BackendPreference, describeBackend, selectBackend } from './backend.js';
import { gatherLabels, gatherRows, type RawRows, readRows, type TrainingData } from './batches.js';
import { type CallbackOutcome, CallbackRunner } from './callbacks/runner.js';
import { checkpointExists, type LoopState, restoreCheckpoint, saveCheckpoint } from './checkpoint.js';
import { ConfigError, checkSetting, loadTrainConfig, type TrainConfig } from './config.js';
import { fitConfigToContract, runContract } from './data-contract.js';
import { appendEpoch, type EpochMetrics, emptyHistory, formatEpochLine, type History } from './history.js';
import { buildModel, checkModelShapes, compileModel } from './model.js';
import { epochProgress } from './progress.js';
import { writeRunFolder } from './run-folder.js';
import { BatchReader, DEFAULT_DEPTH, Lookahead, rangeItems } from './stream/batch-reader.js';
import { chooseLoading } from './stream/mode.js';
import type { PreparedBatch } from './stream/prepare.js';
import { BatchSchedule } from './stream/schedule.js';
import { makeTask } from './tasks/index.js';
import type { BaseEvaluation, Task } from './tasks/task.js';

/** The seed tutorial's model and settings. */
export const SEED_CONFIG_PATH = fileURLToPath(new URL('../configs/seed.json', import.meta.url));
/** The seed's Dropout(0.5) variant. */
export const SEED_DROPOUT_CONFIG_PATH = fileURLToPath(
  new URL('../configs/seed-dropout.json', import.meta.url),
);

/** The headline model: a residual 3D CNN (Add merges), fresh rotated copies, one-cycle, EMA weights (README). */
export const BEST_CONFIG_PATH = fileURLToPath(new URL('../configs/best-resnet.json', import.meta.url));

export const CHECKPOINT_FILE = 'checkpoint.bin';
/** Test volumes whose middle slices a segmenter's report shows. */
const REPORT_SLICES = 3;

export interface TrainOptions {
  /** A validated config or the path of a config file (default: the seed config). */
  config?: TrainConfig | string;
  /**
   * A model built in code (tfjs layers, any graph) to train instead of the config's layers; the config still gives
   * the loss, optimizer and fit settings. It must take the data's input shape and give one probability per class
   * (per voxel for a segmentation set). It is compiled with the config's optimizer.
   */
  model?: tf.LayersModel;
  epochs?: number;
  /** Keras's steps_per_epoch (overrides the config's stepsPerEpoch). */
  stepsPerEpoch?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Use only the first `limit` rows of each split (quick runs). */
  limit?: number;
  backend?: BackendPreference;
  /** An HDF5 path or an open dataset (left open); default: @conv3d/data's defaultDatasetPath(). */
  data?: string | TrainingData;
  /** How to read a `data` path: dataset names, grid and label names when the file lacks them. */
  dataOptions?: OpenOptions;
  /** The run folder (created if needed). */
  outDir: string;
  /** Continue from the run folder's checkpoint when there is one. */
  resume?: boolean;
  /**
   * true: stream batches from the file; false: read the training rows into memory; absent: stream when they would
   * take more than 1 GiB (stream/mode.ts). Same results either way.
   */
  stream?: boolean;
  /** Stream on a worker thread (default: when the compiled worker exists and `data` is a path). */
  streamThread?: boolean;
  /** Draw the per-epoch progress bar (default: when stderr is a terminal). */
  progress?: boolean;
  /** Where status lines go (default: console.log). */
  log?: (line: string) => void;
}

export interface RunInfo {
  config: TrainConfig;
  configSource: string;
  /** The trained model's contract (grid, channels, labels, preprocessing), as exported. */
  contract: ModelContract;
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
  /**
   * Online augmentation (absent when off): rows per epoch, whether a worker thread made them, and how long this
   * process's steps waited for their batches in all (near 0 when the prefetch keeps up).
   */
  augmentation?: { epochRows: number; workerThread: boolean; waitSeconds: number };
  /** What the callbacks decided (absent when none are configured). */
  callbacks?: CallbackOutcome;
  /**
   * How batches reached the steps: streamed from the file or from rows in memory, why, and how long this process's
   * steps waited for their batch in each epoch (near 0 when the read-ahead keeps up).
   */
  loading: {
    mode: 'stream' | 'memory';
    reason: string;
    stepsPerEpoch: number;
    workerThread: boolean;
    readAhead: number;
    /** The most batches ever queued ahead of the ones in use (bounded by 2 × readAhead: training + evaluation). */
    peakQueuedBatches: number;
    epochWaitSeconds: number[];
    /** The training steps' share of each epoch (no validation): samples per second = rows trained / this. */
    epochTrainSeconds: number[];
  };
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
  /** The test split's scores: loss, accuracy and confusion, plus a segmenter's Dice and IoU per class. */
  test: BaseEvaluation;
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
  const override = (
    flag: string,
    key: 'epochs' | 'batchSize' | 'seed' | 'stepsPerEpoch',
    value: number | undefined,
  ): void => {
    if (value === undefined) return;
    checkSetting(flag, key, value);
    config[key] = value;
  };
  override('--epochs', 'epochs', options.epochs);
  override('--batch-size', 'batchSize', options.batchSize);
  override('--seed', 'seed', options.seed);
  override('--steps-per-epoch', 'stepsPerEpoch', options.stepsPerEpoch);
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

/** The training split's rows: in memory (x, y), or left in the file and streamed. */
interface TrainRows {
  contract: ModelContract;
  x?: RawRows;
  y?: Int32Array;
  split: number;
  count: number;
}

/** Rows [start, end) of `split`, in batches: from memory when given, else streamed through `reader`. */
async function evaluateRange(
  model: tf.LayersModel,
  task: Task<BaseEvaluation>,
  contract: ModelContract,
  reader: BatchReader | undefined,
  memory: { x: RawRows; y: Int32Array } | undefined,
  split: 'train' | 'test',
  start: number,
  end: number,
  batchSize: number,
): Promise<BaseEvaluation> {
  const evaluator = task.evaluator(model);
  if (reader) {
    const ahead = new Lookahead(reader, rangeItems(split, start, end, batchSize));
    for (let s = start; s < end; s += batchSize) {
      const batch = await ahead.next((key) => (key === s ? undefined : `expected row ${s}, got ${key}`));
      await evaluator.addPrepared(batch.inputs, batch.y, batch.count, s);
    }
    return evaluator.result();
  }
  if (!memory) throw new Error(`evaluateRange: no rows for '${split}'`);
  const { rawLength } = contract;
  const { labelLength } = task;
  for (let s = start; s < end; s += batchSize) {
    const n = Math.min(batchSize, end - s);
    const y = memory.y.subarray(s * labelLength, (s + n) * labelLength);
    await evaluator.add(memory.x.subarray(s * rawLength, (s + n) * rawLength), y, n, s);
  }
  return evaluator.result();
}

/** Where an epoch's batches come from: the rows in memory or the file in a seeded shuffle, or the augmentation feed. */
interface EpochBatches {
  steps: number;
  batch(epoch: number, step: number): Promise<RawBatch | PreparedBatch> | RawBatch;
}

function storedBatches(
  rows: TrainRows,
  labelLength: number,
  x: RawRows,
  y: Int32Array,
  schedule: BatchSchedule,
): EpochBatches {
  return {
    steps: schedule.stepsPerEpoch,
    batch(epoch, step) {
      const idx = schedule.indices(epoch, step);
      const labels = gatherLabels(y, idx, labelLength);
      return { x: gatherRows(x, idx, rows.contract.rawLength), y: labels, count: idx.length };
    },
  };
}

function* scheduleItems(schedule: BatchSchedule, startEpoch: number, epochs: number) {
  for (let epoch = startEpoch; epoch < epochs; epoch++) {
    for (let step = 0; step < schedule.stepsPerEpoch; step++) {
      yield { key: { epoch, step }, split: 'train' as const, indices: schedule.indices(epoch, step) };
    }
  }
}

/** The same schedule read from the file, `readAhead` batches ahead of the step, across epoch boundaries. */
function streamedBatches(
  ahead: Lookahead<{ epoch: number; step: number }>,
  schedule: BatchSchedule,
): EpochBatches {
  return {
    steps: schedule.stepsPerEpoch,
    batch: (epoch, step) =>
      ahead.next((key) =>
        key.epoch === epoch && key.step === step
          ? undefined
          : `asked for epoch ${epoch} step ${step}, next is epoch ${key.epoch} step ${key.step}`,
      ),
  };
}

async function trainEpoch(
  model: tf.LayersModel,
  task: Task<BaseEvaluation>,
  batches: EpochBatches,
  config: TrainConfig,
  epoch: number,
  progressEnabled: boolean,
  callbacks: CallbackRunner | undefined,
): Promise<{ loss: number; accuracy: number; waitSeconds: number }> {
  const steps = batches.steps;
  const dropout = dropoutSeeder(model);
  const bar = epochProgress(epoch + 1, config.epochs, steps, progressEnabled);
  let lossSum = 0;
  let accSum = 0;
  let seen = 0;
  let waited = 0;
  try {
    for (let step = 0; step < steps; step++) {
      const w0 = performance.now();
      const batch = await batches.batch(epoch, step);
      waited += performance.now() - w0;
      dropout.set(deriveSeed(config.seed, epoch, step));
      callbacks?.beforeStep(epoch, step);
      const { loss, accuracy } = await task.trainStep(model, batch, epoch, step);
      callbacks?.afterStep(epoch);
      // Keras reports the sample-weighted mean over the epoch's batches.
      lossSum += loss * batch.count;
      accSum += accuracy * batch.count;
      seen += batch.count;
      bar.update(step + 1, lossSum / seen, accSum / seen);
    }
  } finally {
    bar.stop();
    dropout.restore();
  }
  return { loss: lossSum / seen, accuracy: accSum / seen, waitSeconds: waited / 1000 };
}

async function testSplit(
  ds: TrainingData,
  reader: BatchReader | undefined,
  model: tf.LayersModel,
  task: Task<BaseEvaluation>,
  contract: ModelContract,
  rows: number,
  batchSize: number,
): Promise<BaseEvaluation> {
  if (reader) return evaluateRange(model, task, contract, reader, undefined, 'test', 0, rows, batchSize);
  const evaluator = task.evaluator(model, REPORT_SLICES);
  let first = 0;
  for (const batch of ds.batches('test', batchSize, { start: 0, end: rows })) {
    await evaluator.add(batch.x, batch.y, batch.count, first);
    first += batch.count;
  }
  return evaluator.result();
}

/**
 * The run's contract (from the data; a segmenter's grid is its patch), the contract of the stored rows (the data's
 * grid: rows are read, streamed and preprocessed whole, as inference prepares a whole scan), task (from the labels
 * and the loss, which must agree) and fitted config.
 */
function setupRun(
  ds: TrainingData,
  given: TrainConfig,
  source: string,
): { contract: ModelContract; rowContract: ModelContract; task: Task<BaseEvaluation>; config: TrainConfig } {
  const data = ds.descriptor ?? SEED_CONTRACT;
  const contract = runContract(data, given.preprocessing, source, given.segmentation?.patch);
  const volume = ds.descriptor?.grid;
  if (volume && contract.grid.some((n, a) => n > (volume[a] as number))) {
    throw new ConfigError(
      `${source}: segmentation.patch ${contract.grid.join('×')} is larger than the data's volumes ${volume.join('×')} along an axis`,
    );
  }
  const rowContract =
    volume && contract.grid.join() !== volume.join()
      ? runContract(data, given.preprocessing, source)
      : contract;
  if (given.augmentation && given.stepsPerEpoch !== undefined) {
    throw new ConfigError(
      `${source}: stepsPerEpoch does not combine with online augmentation (its epochs are sized by the augmentation)`,
    );
  }
  // The task first: a loss for the wrong kind of labels is the error to report, not what fitting it finds.
  const task = makeTask(given, contract, rowContract, source);
  return { contract, rowContract, task, config: fitConfigToContract(given, contract, ds.path, source) };
}

const contractLine = (c: ModelContract): string =>
  `Contract: ${c.task === 'segment' ? 'segment, patch' : 'classify, grid'} ${c.grid.join('×')}, ` +
  `${c.rawChannels} channel(s), '${c.preprocessing}' → input [${c.inputShape.join(', ')}], ` +
  `${c.labels.length} classes (${c.labels.join(', ')})`;

/** The config's model, or the one given (checked against the data and compiled with the config's optimizer). */
function modelFor(
  given: tf.LayersModel | undefined,
  config: TrainConfig,
  contract: ModelContract,
): tf.LayersModel {
  if (!given) return buildModel(config, { contract });
  checkModelShapes(given, contract, `the given model '${given.name}'`);
  compileModel(given, config);
  return given;
}

/**
 * Trains a model as configured and writes the run folder: model.json + weights.bin, history.json,
 * metrics.json, run.json, loss.svg, accuracy.svg, report.html and the checkpoint.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const { config: given, source } = resolveConfig(options);
  const outDir = resolve(options.outDir);
  const backend = await selectBackend(options.backend ?? 'auto');
  log(describeBackend(backend));

  const ds =
    typeof options.data === 'object'
      ? options.data
      : await openDataset(options.data ?? defaultDatasetPath(), options.dataOptions);
  try {
    const { contract, rowContract, task, config } = setupRun(ds, given, source);
    const limit = options.limit ?? null;
    const trainCount = Math.min(limit ?? Number.POSITIVE_INFINITY, ds.count('train'));
    const testCount = Math.min(limit ?? Number.POSITIVE_INFINITY, ds.count('test'));
    const loading = chooseLoading(
      options.stream,
      ds,
      trainCount,
      rowContract.rawLength,
      config.augmentation !== undefined,
    );
    const split = validationSplitIndex(trainCount, config.validationSplit);
    if (split === 0) throw new ConfigError(`${source}: no training rows left after the validation split`);
    const raw = loading.stream
      ? undefined
      : readRows(ds, 'train', trainCount, rowContract.rawLength, {
          shared: config.augmentation !== undefined,
          labelLength: task.labelLength,
        });
    const rows: TrainRows = { contract: rowContract, x: raw?.x, y: raw?.y, count: trainCount, split };
    const augmentation =
      config.augmentation &&
      raw &&
      prepareAugmentation(ds.path, config.augmentation, { ...rows, x: raw.x, y: raw.y });
    log(
      `Data: ${ds.path} - ${rows.split} train, ${trainCount - rows.split} validation, ${testCount} test samples`,
    );
    log(
      `Batches: ${loading.stream ? 'streamed from the file' : 'from the rows in memory'} (${loading.reason})`,
    );
    log(contractLine(contract));

    const model = modelFor(options.model, config, contract);
    try {
      const ckptPath = join(outDir, CHECKPOINT_FILE);
      // The config as given (a resume with other data is caught by the data path, counts and the file's contract);
      // a schedule spans the configured epochs, so for one the epoch count is part of the run's identity.
      const { epochs: _epochs, ...rest } = given;
      const settings = given.callbacks?.lrSchedule ? given : rest;
      const fingerprint = JSON.stringify({
        settings,
        ...(options.model && { model: options.model.toJSON(null, false) }),
        data: resolve(ds.path),
        trainCount,
        testCount,
        contract: contractToMetadata(contract),
      });
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
      const feed = augmentation?.open(config, state.epochsDone);
      const reader =
        loading.stream && ds.readAt
          ? new BatchReader({
              path: ds.path,
              dataOptions: options.dataOptions,
              contract: rowContract,
              source: { readAt: ds.readAt.bind(ds) },
              thread: options.streamThread ?? (typeof options.data === 'object' ? false : undefined),
            })
          : undefined;
      const schedule = new BatchSchedule(split, config.batchSize, config.seed, config.stepsPerEpoch);
      const ahead = reader && new Lookahead(reader, scheduleItems(schedule, state.epochsDone, config.epochs));
      let outcome: CallbackOutcome | undefined;
      let waitSeconds = 0;
      const epochWaitSeconds: number[] = [];
      const epochTrainSeconds: number[] = [];
      try {
        const batches: EpochBatches = feed
          ? { steps: feed.stepsPerEpoch, batch: (epoch, step) => feed.next(epoch, step) }
          : ahead
            ? streamedBatches(ahead, schedule)
            : storedBatches(rows, task.labelLength, raw?.x as RawRows, raw?.y as Int32Array, schedule);
        if (reader) {
          log(
            `Streaming: ${schedule.stepsPerEpoch} steps per epoch, read ${reader.threaded ? `on a worker thread, ${DEFAULT_DEPTH} batches ahead` : 'in-process on demand'}`,
          );
        }
        if (feed) {
          log(
            `Augmentation: ${augmentation?.epochRows} rows per epoch, made ${feed.threaded ? 'on a worker thread' : 'in-process'}`,
          );
        }
        const callbacks =
          config.callbacks &&
          new CallbackRunner(
            config.callbacks,
            model,
            config.optimizer.config.learningRate,
            config.epochs,
            batches.steps,
            source,
          );
        if (callbacks && state.callbacks) callbacks.restore(state.callbacks, state.arrays ?? []);
        for (let epoch = state.epochsDone; epoch < config.epochs && !callbacks?.hasStopped; epoch++) {
          const e0 = performance.now();
          const { waitSeconds: waited, ...fit } = await trainEpoch(
            model,
            task,
            batches,
            config,
            epoch,
            progressEnabled,
            callbacks,
          );
          waitSeconds += waited;
          epochWaitSeconds.push(waited);
          epochTrainSeconds.push((performance.now() - e0) / 1000);
          const validate = () =>
            evaluateRange(
              model,
              task,
              rowContract,
              reader,
              raw,
              'train',
              split,
              trainCount,
              config.batchSize,
            );
          const val = await validate();
          const metrics: EpochMetrics = { ...fit, ...task.validationMetrics(val) };
          const averageLine = await callbacks?.validateAverage(epoch, validate);
          if (callbacks) {
            const { lr } = callbacks.afterEpoch(epoch, { ...metrics });
            if (callbacks.managesRate) metrics.learning_rate = lr;
          }
          const seconds = (performance.now() - e0) / 1000;
          appendEpoch(state.history, metrics);
          state.epochSeconds.push(seconds);
          state.epochsDone = epoch + 1;
          if (callbacks) {
            const saved = callbacks.save();
            state.callbacks = saved.state;
            state.arrays = saved.arrays;
          }
          await saveCheckpoint(ckptPath, model, state);
          log(formatEpochLine(epoch + 1, config.epochs, seconds, metrics, contract.labels));
          if (averageLine) log(averageLine);
          if (reader) log(`  steps waited ${waited.toFixed(2)} s for streamed batches`);
          if (callbacks?.hasStopped) log(`EarlyStopping: stopped after epoch ${epoch + 1}`);
        }
        outcome = callbacks?.finish();
        if (outcome?.bestEpoch !== undefined) {
          log(`Final weights: ${outcome.weights}, epoch ${outcome.bestEpoch}`);
        }
        ahead?.discard();
      } catch (err) {
        await reader?.close();
        throw err;
      } finally {
        await feed?.close();
      }

      const testStart = performance.now();
      let test: BaseEvaluation;
      try {
        test = await testSplit(ds, reader, model, task, rowContract, testCount, config.batchSize);
      } finally {
        await reader?.close();
      }
      const testSeconds = (performance.now() - testStart) / 1000;
      log(task.testLine(test));

      const run: RunInfo = {
        config,
        configSource: source,
        contract,
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
        ...(augmentation && {
          augmentation: {
            epochRows: augmentation.epochRows,
            workerThread: feed?.threaded ?? false,
            waitSeconds,
          },
        }),
        ...(outcome && { callbacks: outcome }),
        loading: {
          mode: loading.stream ? 'stream' : 'memory',
          reason: loading.reason,
          stepsPerEpoch: feed?.stepsPerEpoch ?? schedule.stepsPerEpoch,
          workerThread: reader?.threaded ?? false,
          readAhead: reader?.threaded ? DEFAULT_DEPTH : 0,
          peakQueuedBatches: reader?.peakQueued ?? 0,
          epochWaitSeconds,
          epochTrainSeconds,
        },
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
      await writeRunFolder(outDir, model, task, state.history, test, run, t0);
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
