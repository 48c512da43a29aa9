// An ensemble as a run folder: the members' mean probabilities (optionally each member averaged over
// identity-keeping test-time views first) scored on the test rows, or on the members' validation rows to choose
// settings, with each member's own score beside it. metrics.json and run.json have the training runs' shapes, so
// `conv3d-export` reads the folder (its run.json lists the members) and its test accuracy.
import { readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import {
  ContractError,
  contractDifference,
  contractFromMetadata,
  type ModelContract,
  preprocessBatch,
  withTestAccuracy,
} from '@conv3d/core';
import { oneLine, writeFileAtomic } from '@conv3d/core/node';
import { openDataset, validationSplitIndex } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';
import { type BackendPreference, describeBackend, selectBackend } from '../backend.js';
import { type Evaluation, Evaluator } from '../evaluate.js';
import { loadModelFromDir } from '../model-io.js';
import { TTA_SETS, type TtaName, viewRows } from './tta.js';

export type EnsembleSplit = 'test' | 'validation';

export interface EnsembleOptions {
  /** The members' training run folders (model.json, run.json, metrics.json). */
  members: readonly string[];
  outDir: string;
  /** 'test' (default): the test rows; 'validation': the members' validation rows, to choose settings. */
  split?: EnsembleSplit;
  /** Test-time views each member is averaged over first (default 'none'). */
  tta?: TtaName;
  /** The dataset (default: the one the members trained on, from their run.json). */
  data?: string;
  batchSize?: number;
  backend?: BackendPreference;
  log?: (line: string) => void;
}

export class EnsembleError extends Error {
  override name = 'EnsembleError';
}

export interface MemberScore {
  name: string;
  /** The member's run folder, relative to the ensemble's. */
  runDir: string;
  /** Its own test accuracy from its metrics.json, when there. */
  testAccuracy?: number;
  /** Its score on the ensemble's rows (with the same test-time views). */
  score: Pick<Evaluation, 'loss' | 'accuracy' | 'originals' | 'rotatedCopies'>;
}

export interface EnsembleResult {
  split: EnsembleSplit;
  evaluation: Evaluation;
  members: MemberScore[];
}

/** Where a member's rows come from: its run.json's dataset, limit and validation split. */
interface MemberData {
  path: string;
  limit: number | null;
  validationSplit: number;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EnsembleError(`${file}: cannot read (${oneLine((error as Error).message)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EnsembleError(`${file}: not valid JSON (${oneLine((error as Error).message)})`);
  }
}

function memberData(runDir: string): MemberData {
  const file = join(runDir, 'run.json');
  const run = readJson(file) as {
    dataset?: { path?: unknown; limit?: unknown };
    config?: { validationSplit?: unknown };
  } | null;
  const path = run?.dataset?.path;
  const limit = run?.dataset?.limit ?? null;
  const validationSplit = run?.config?.validationSplit;
  if (typeof path !== 'string' || !(limit === null || typeof limit === 'number')) {
    throw new EnsembleError(`${file}: 'dataset.path' and 'dataset.limit' are missing or malformed`);
  }
  if (typeof validationSplit !== 'number') {
    throw new EnsembleError(`${file}: 'config.validationSplit' is missing`);
  }
  return { path, limit, validationSplit };
}

function memberTestAccuracy(runDir: string): number | undefined {
  const metrics = readJson(join(runDir, 'metrics.json')) as { test?: { accuracy?: unknown } } | null;
  const accuracy = metrics?.test?.accuracy;
  return typeof accuracy === 'number' ? accuracy : undefined;
}

function modelContract(model: tf.LayersModel, source: string): ModelContract {
  const carried = (model.getUserDefinedMetadata() as { conv3d?: Record<string, string> } | undefined)?.conv3d;
  if (carried === undefined) throw new EnsembleError(`${source}: the model carries no contract`);
  try {
    return withTestAccuracy(contractFromMetadata(carried, source), undefined);
  } catch (error) {
    if (error instanceof ContractError) throw new EnsembleError(error.message);
    throw error;
  }
}

/** Scores the ensemble and writes its run folder (metrics.json, then run.json last). */
export async function scoreEnsemble(options: EnsembleOptions): Promise<EnsembleResult> {
  const t0 = performance.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const split = options.split ?? 'test';
  const ttaName = options.tta ?? 'none';
  const views = TTA_SETS[ttaName];
  const batchSize = options.batchSize ?? 100;
  if (options.members.length === 0) throw new EnsembleError('no members given');
  const outDir = resolve(options.outDir);
  const backend = await selectBackend(options.backend ?? 'auto');
  log(describeBackend(backend));

  const dirs = options.members.map((m) => resolve(m));
  const data = dirs.map(memberData);
  const first = data[0] as MemberData;
  data.forEach((d, i) => {
    if (d.path !== first.path || d.limit !== first.limit || d.validationSplit !== first.validationSplit) {
      throw new EnsembleError(
        `${options.members[i]}: trained on other rows than ${options.members[0]} (dataset, limit or validation split); members must share them`,
      );
    }
  });
  const models: tf.LayersModel[] = [];
  try {
    let contract: ModelContract | undefined;
    for (const [i, dir] of dirs.entries()) {
      const source = options.members[i] as string;
      const model = await loadModelFromDir(dir);
      models.push(model);
      const own = modelContract(model, source);
      contract ??= own;
      const differs = contractDifference(own, contract);
      if (differs) {
        throw new EnsembleError(
          `${source}: its contract differs from ${options.members[0]}'s ('${differs.key}' ${differs.a ?? 'absent'} vs ${differs.b ?? 'absent'}); ensemble members must share grid, channels, labels and preprocessing`,
        );
      }
    }
    if (contract === undefined) throw new EnsembleError('no members given');

    const ds = await openDataset(options.data ?? first.path);
    const classes = contract.labels.length;
    const ensemble = new Evaluator(null, contract);
    const own = models.map(() => new Evaluator(null, contract));
    let rows: { split: 'train' | 'test'; start: number; end: number };
    const p0 = performance.now();
    try {
      const limit = first.limit ?? Number.POSITIVE_INFINITY;
      if (split === 'test') {
        rows = { split: 'test', start: 0, end: Math.min(limit, ds.count('test')) };
      } else {
        const trainCount = Math.min(limit, ds.count('train'));
        rows = {
          split: 'train',
          start: validationSplitIndex(trainCount, first.validationSplit),
          end: trainCount,
        };
      }
      log(
        `Ensemble of ${models.length}: ${split} rows ${rows.start}–${rows.end - 1} of ${ds.path}, test-time views: ${ttaName} (${views.length})`,
      );
      let at = rows.start;
      for (const batch of ds.batches(rows.split, batchSize, { start: rows.start, end: rows.end })) {
        const n = batch.count;
        const sums = models.map(() => new Float32Array(n * classes));
        for (const view of views) {
          const inputs = preprocessBatch(contract, viewRows(contract, batch.x, n, view), n);
          const xs = tf.tensor(inputs, [n, ...contract.inputShape], 'float32');
          try {
            models.forEach((model, m) => {
              const probs = tf.tidy(() => (model.predict(xs) as tf.Tensor).dataSync() as Float32Array);
              const sum = sums[m] as Float32Array;
              for (let j = 0; j < sum.length; j++) sum[j] = (sum[j] as number) + (probs[j] as number);
            });
          } finally {
            xs.dispose();
          }
        }
        const mean = new Float32Array(n * classes);
        sums.forEach((sum, m) => {
          const member = sum.map((v) => v / views.length);
          own[m]?.addProbabilities(member, batch.y, n, at);
          for (let j = 0; j < mean.length; j++)
            mean[j] = (mean[j] as number) + (member[j] as number) / models.length;
        });
        ensemble.addProbabilities(mean, batch.y, n, at);
        at += n;
      }
    } finally {
      ds.close();
    }
    const predictSeconds = (performance.now() - p0) / 1000;
    const evaluation = ensemble.result();
    const members: MemberScore[] = dirs.map((dir, m) => {
      const { loss, accuracy, originals, rotatedCopies } = (own[m] as Evaluator).result();
      const testAccuracy = memberTestAccuracy(dir);
      return {
        name: basename(dir),
        runDir: relative(outDir, dir),
        ...(testAccuracy !== undefined && { testAccuracy }),
        score: { loss, accuracy, originals, rotatedCopies },
      };
    });
    const pct = (a: number) => `${(a * 100).toFixed(2)} %`;
    for (const m of members) {
      log(
        `  ${m.name}: ${pct(m.score.accuracy)} (originals ${pct(m.score.originals.accuracy)}, rotated copies ${pct(m.score.rotatedCopies.accuracy)})`,
      );
    }
    log(
      `Ensemble: ${pct(evaluation.accuracy)} (originals ${pct(evaluation.originals.accuracy)}, rotated copies ${pct(evaluation.rotatedCopies.accuracy)}), loss ${evaluation.loss.toFixed(4)}, ${evaluation.count} rows`,
    );

    const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
    // Validation scores are never written where a test accuracy is read (`test`).
    writeFileAtomic(join(outDir, 'metrics.json'), json({ [split]: evaluation, tta: ttaName, members }));
    writeFileAtomic(
      join(outDir, 'run.json'),
      json({
        ensemble: {
          members: members.map(({ name, runDir, testAccuracy }) => ({ name, runDir, testAccuracy })),
        },
        split,
        rows,
        tta: { name: ttaName, views: views.length },
        contract,
        backend,
        dataset: {
          path: options.data ?? first.path,
          limit: first.limit,
          validationSplit: first.validationSplit,
        },
        timings: { totalSeconds: (performance.now() - t0) / 1000, predictSeconds },
        peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
        versions: { tfjs: tf.version.tfjs, node: process.version },
      }),
    );
    log(`Wrote ${outDir}`);
    return { split, evaluation, members };
  } finally {
    for (const model of models) model.dispose();
  }
}
