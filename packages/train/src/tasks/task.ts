// A training task as one object plugged into the loop: how a batch trains (loss and step), how a split is scored
// (evaluator), what an epoch logs, and what the run folder says about the test split. Classification
// (classification.ts) and segmentation (segmentation.ts) are the two; train.ts knows neither.
import type * as tf from '@tensorflow/tfjs';
import type { RawBatch } from '../augmentation/epoch-rows.js';
import type { RawRows } from '../batches.js';
import type { EpochMetrics } from '../history.js';
import type { PreparedBatch } from '../stream/prepare.js';

/** What every task's evaluation has: the loss, accuracy (per volume or per voxel), rows and confusion. */
export interface BaseEvaluation {
  loss: number;
  accuracy: number;
  count: number;
  /** confusion[true][predicted]: volumes, or voxels for a segmenter. */
  confusion: number[][];
}

/** Scores a split batch by batch: raw rows (in memory) or preprocessed ones (streamed). */
export interface TaskEvaluator<E extends BaseEvaluation> {
  /** Adds `count` raw rows with their labels; `firstRow` is the first one's row index in its split. */
  add(x: RawRows, y: Int32Array, count: number, firstRow: number): void | Promise<void>;
  /** Adds `count` preprocessed samples (a streamed batch); `firstRow` as for add(). */
  addPrepared(inputs: Float32Array, y: Int32Array, count: number, firstRow: number): void | Promise<void>;
  result(): E;
}

export interface Task<E extends BaseEvaluation = BaseEvaluation> {
  /** Labels per row: 1, or a label volume's D·H·W. */
  readonly labelLength: number;
  /** One optimizer step on a batch; resolves to its loss and accuracy. */
  trainStep(
    model: tf.LayersModel,
    batch: RawBatch | PreparedBatch,
    epoch: number,
    step: number,
  ): Promise<{ loss: number; accuracy: number }>;
  /** A fresh evaluator; `keepSlices`: how many samples' slices to keep for the report (segmenters). */
  evaluator(model: tf.LayersModel, keepSlices?: number): TaskEvaluator<E>;
  /** The val_* fields of the epoch's metrics. */
  validationMetrics(val: E): Omit<EpochMetrics, 'loss' | 'accuracy'>;
  /** One line for the log after the test split. */
  testLine(test: E): string;
  /** What metrics.json records of the test split. */
  metrics(test: E): object;
  /** The report's test section (HTML). */
  reportSection(test: E, labels: readonly string[]): string;
  /** The score recorded in the model's contract (test accuracy), when it has one. */
  contractScore(test: E): number | undefined;
}
