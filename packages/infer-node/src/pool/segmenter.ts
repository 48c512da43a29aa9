// A segmenter whose sessions run in worker threads: loadSegmenter(model, { workers: N }).
import type {
  Classifier,
  ModelContract,
  Segmentation,
  Segmenter,
  SegmentOptions,
  Volume,
} from '@conv3d/core';
import type { NodeDevice, NodeProvider } from '../session.js';
import type { PoolClassifier } from './classifier.js';
import type { NodeLoadOptions, PoolSettings } from './options.js';
import { type PoolStats, WorkerPool } from './pool.js';

export interface PoolSegmenter extends Segmenter<NodeProvider> {
  /** Worker threads started (each with its own session, one segmentation at a time). */
  readonly workers: number;
  stats(): PoolStats;
}

/** True for a classifier or segmenter whose sessions run in worker threads (it has workers and stats). */
export function isPooled(model: Classifier | Segmenter): model is PoolClassifier | PoolSegmenter {
  return typeof (model as Partial<PoolSegmenter>).stats === 'function';
}

class PooledSegmenter implements PoolSegmenter {
  constructor(
    private readonly pool: WorkerPool,
    readonly provider: NodeProvider,
    readonly contract: ModelContract,
    readonly workers: number,
  ) {}

  segment(volume: Volume, options?: SegmentOptions): Promise<Segmentation> {
    return this.pool.segment(volume, options);
  }

  stats(): PoolStats {
    return this.pool.stats();
  }

  /** Answers the segmentations already asked for, then stops the workers. */
  dispose(): Promise<void> {
    return this.pool.close();
  }
}

/** Starts `settings.workers` workers, each loading the segmenter with the in-thread path. */
export async function loadSegmenterPool(
  model: string | Uint8Array,
  options: NodeLoadOptions,
  settings: PoolSettings,
): Promise<PoolSegmenter> {
  const device: NodeDevice = options.device ?? 'auto';
  const pool = new WorkerPool(model, device, settings, { onSpawn: options.onWorker }, 'segment');
  const { provider, contract } = await pool.start();
  return new PooledSegmenter(pool, provider, contract, settings.workers);
}
