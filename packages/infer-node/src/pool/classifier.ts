import type { ModelContract } from '@conv3d/core';
import { type Classifier, type ClassifierInput, decodePredictions, type Prediction } from '@conv3d/core';
import type { NodeDevice, NodeProvider } from '../session.js';
import type { NodeLoadOptions, PoolSettings } from './options.js';
import { type PoolHooks, type PoolStats, WorkerPool } from './pool.js';

/** A classifier whose sessions run in worker threads: `load(model, { workers: N })`. */
export interface PoolClassifier extends Classifier<NodeProvider> {
  /** Worker threads started (each with its own session). */
  readonly workers: number;
  /** Queue depth and workers now: for metrics and load shedding. */
  stats(): PoolStats;
}

export function isPoolClassifier(classifier: Classifier): classifier is PoolClassifier {
  return typeof (classifier as Partial<PoolClassifier>).stats === 'function';
}

class PooledClassifier implements PoolClassifier {
  constructor(
    private readonly pool: WorkerPool,
    readonly provider: NodeProvider,
    readonly contract: ModelContract,
    readonly workers: number,
  ) {}

  async predict(input: ClassifierInput): Promise<Prediction[]> {
    const probabilities = await this.pool.run(input);
    const count = probabilities.length / this.contract.labels.length;
    return decodePredictions(probabilities, count, this.contract);
  }

  stats(): PoolStats {
    return this.pool.stats();
  }

  /** Answers the calls already made, then stops the workers. Calling it again does nothing. */
  dispose(): Promise<void> {
    return this.pool.close();
  }
}

/** Starts `settings.workers` workers, each loading the model with the in-thread path. */
export async function loadPool(
  model: string | Uint8Array,
  options: NodeLoadOptions,
  settings: PoolSettings,
  hooks: PoolHooks = {},
): Promise<PoolClassifier> {
  const device: NodeDevice = options.device ?? 'auto';
  const pool = new WorkerPool(model, device, settings, {
    onBatch: options.onBatch,
    onSpawn: options.onWorker,
    ...hooks,
  });
  const { provider, contract } = await pool.start();
  return new PooledClassifier(pool, provider, contract, settings.workers);
}
