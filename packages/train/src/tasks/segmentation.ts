// Segmentation as a task: a softmax per voxel trained on integer label volumes with the configured per-voxel loss
// (segmentation-losses.ts) in its own optimizer step (tfjs's trainOnBatch wants one-hot targets shaped like the
// output), seeded flips that move image and labels together, per-class Dice / IoU / voxel confusion per split
// (segmentation-metrics.ts) and a report section with a few test slices.
import { type ModelContract, preprocessBatch, Rng } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import type { RawBatch } from '../augmentation/epoch-rows.js';
import { flip, VoxelGrid } from '../augmentation/voxel-ops.js';
import type { RawRows } from '../batches.js';
import type { TrainConfig } from '../config.js';
import { confusionTable, escapeHtml, num, pct } from '../report.js';
import type { PreparedBatch } from '../stream/prepare.js';
import type { SegmentationConfig } from './segmentation-config.js';
import { disposeTargets, segmentationLoss, voxelTargets } from './segmentation-losses.js';
import { SegmentationScorer, type SegmentationScores } from './segmentation-metrics.js';
import { slicesSvg, type VolumeSlice } from './slices.js';
import type { Task, TaskEvaluator } from './task.js';

export interface SegmentationEvaluation extends SegmentationScores {
  loss: number;
  /** Voxel accuracy. */
  accuracy: number;
  /** Volumes scored. */
  count: number;
  /** The middle slices of the first volumes, for the report (not written to metrics.json). */
  slices: VolumeSlice[];
}

/** Stream key of the flips of one training step's samples. */
const FLIP_STREAM = 0x5e9;

class SegmentationEvaluator implements TaskEvaluator<SegmentationEvaluation> {
  private lossSum = 0;
  private count = 0;
  private readonly scorer: SegmentationScorer;
  private readonly slices: VolumeSlice[] = [];

  constructor(
    private readonly model: tf.LayersModel,
    private readonly contract: ModelContract,
    private readonly config: TrainConfig,
    private readonly keepSlices: number,
  ) {
    this.scorer = new SegmentationScorer(contract.labels.length);
  }

  add(x: RawRows, y: Int32Array, count: number, firstRow: number): void {
    this.addPrepared(preprocessBatch(this.contract, x, count), y, count, firstRow);
  }

  addPrepared(inputs: Float32Array, y: Int32Array, count: number, firstRow: number): void {
    if (count === 0) return;
    const { contract, config } = this;
    const [d, h, w] = contract.grid;
    const labels = y.subarray(0, count * d * h * w);
    const targets = voxelTargets(labels, count, contract.labels.length, config.segmentation?.classWeights);
    const { loss, predicted } = tf.tidy(() => {
      const probs = this.model.predict(tf.tensor(inputs, [count, ...contract.inputShape])) as tf.Tensor;
      const value = segmentationLoss(
        config.loss,
        probs,
        targets,
        config.segmentation?.includeBackground ?? true,
      );
      return {
        loss: value.dataSync()[0] as number,
        predicted: tf.argMax(probs, -1).dataSync() as Int32Array,
      };
    });
    disposeTargets(targets);
    this.lossSum += loss * count;
    this.count += count;
    this.scorer.add(labels, predicted, count);
    this.keep(inputs, labels, predicted, count, firstRow);
  }

  /** The middle D slice of the first `keepSlices` volumes: the input's first channel, truth, prediction. */
  private keep(
    inputs: Float32Array,
    y: Int32Array,
    predicted: Int32Array,
    count: number,
    firstRow: number,
  ): void {
    const [d, h, w] = this.contract.grid;
    const channels = this.contract.channels;
    const plane = h * w;
    for (let n = 0; n < count && this.slices.length < this.keepSlices; n++) {
      const z = Math.floor(d / 2);
      const start = n * d * plane + z * plane;
      const image = new Float32Array(plane);
      for (let i = 0; i < plane; i++) image[i] = inputs[(start + i) * channels] as number;
      this.slices.push({
        title: `row ${firstRow + n}, slice ${z} of ${d}`,
        height: h,
        width: w,
        image,
        truth: y.slice(start, start + plane),
        predicted: predicted.slice(start, start + plane),
      });
    }
  }

  result(): SegmentationEvaluation {
    const scores = this.scorer.result();
    return {
      loss: this.count ? this.lossSum / this.count : Number.NaN,
      accuracy: scores.voxelAccuracy,
      count: this.count,
      ...scores,
      slices: this.slices,
    };
  }
}

/** Mirrors each sample's inputs and labels along the configured axes, each with probability 1/2, seeded by step. */
function flipBatch(
  seg: SegmentationConfig,
  contract: ModelContract,
  inputs: Float32Array,
  labels: Int32Array,
  count: number,
  key: readonly number[],
): void {
  if (seg.flip.length === 0) return;
  const [d, h, w] = contract.grid;
  const image = new VoxelGrid(w, h, d, contract.channels);
  const volume = new VoxelGrid(w, h, d, 1);
  for (let n = 0; n < count; n++) {
    const rng = new Rng(...key, n);
    const x = inputs.subarray(n * image.length, (n + 1) * image.length);
    const y = labels.subarray(n * volume.length, (n + 1) * volume.length);
    for (const axis of seg.flip) {
      if (!rng.chance(0.5)) continue;
      flip(image, x.slice(), x, axis);
      flip(volume, y.slice(), y, axis);
    }
  }
}

function dicePerClass(test: SegmentationEvaluation, labels: readonly string[]): string {
  const rows = labels
    .map(
      (l, k) =>
        `<tr><th>${escapeHtml(l)}</th><td>${num(test.dice[k] as number)}</td><td>${num(test.iou[k] as number)}</td></tr>`,
    )
    .join('\n');
  return `<table><tr><th>class</th><th>Dice</th><th>IoU</th></tr>\n${rows}\n</table>`;
}

export function segmentationTask(contract: ModelContract, config: TrainConfig): Task<SegmentationEvaluation> {
  const seg = config.segmentation as SegmentationConfig;
  const classes = contract.labels.length;
  const voxels = contract.grid[0] * contract.grid[1] * contract.grid[2];
  return {
    labelLength: voxels,
    async trainStep(model, batch: RawBatch | PreparedBatch, epoch, step) {
      const { count } = batch;
      // Copies: flips write in place, and a stored or streamed batch must stay as read.
      const inputs = 'inputs' in batch ? batch.inputs.slice() : preprocessBatch(contract, batch.x, count);
      const labels = batch.y.slice(0, count * voxels);
      flipBatch(seg, contract, inputs, labels, count, [config.seed, FLIP_STREAM, epoch, step]);
      const targets = voxelTargets(labels, count, classes, seg.classWeights);
      const xs = tf.tensor(inputs, [count, ...contract.inputShape]);
      const truth = tf.tensor1d(labels, 'int32');
      let accuracy: tf.Scalar | undefined;
      let loss: tf.Scalar | null = null;
      try {
        loss = (model.optimizer as tf.Optimizer).minimize(
          () => {
            const probs = model.apply(xs, { training: true }) as tf.Tensor;
            accuracy = tf.keep(
              tf.mean(
                tf.cast(tf.equal(tf.reshape(tf.argMax(probs, -1), [-1]), truth), 'float32'),
              ) as tf.Scalar,
            );
            return segmentationLoss(config.loss, probs, targets, seg.includeBackground);
          },
          true,
          model.trainableWeights.map((w) => w.read() as tf.Variable),
        );
        const [l, a] = await Promise.all([loss?.data(), accuracy?.data()]);
        return { loss: l?.[0] ?? Number.NaN, accuracy: a?.[0] ?? Number.NaN };
      } finally {
        tf.dispose([xs, truth, ...(loss ? [loss] : []), ...(accuracy ? [accuracy] : [])]);
        disposeTargets(targets);
      }
    },
    evaluator: (model, keepSlices = 0) => new SegmentationEvaluator(model, contract, config, keepSlices),
    validationMetrics: (val) => ({
      val_loss: val.loss,
      val_accuracy: val.accuracy,
      val_dice: val.meanDice,
      val_dice_per_class: val.dice,
    }),
    testLine: (test) =>
      `Test: loss ${test.loss.toFixed(4)} - voxel accuracy ${test.accuracy.toFixed(4)} - mean foreground Dice ` +
      `${test.meanDice.toFixed(4)} (${test.dice.map((d, k) => `${contract.labels[k]} ${d.toFixed(4)}`).join(', ')}) ` +
      `(${test.count} volumes)`,
    metrics: ({ slices: _slices, ...rest }) => rest,
    reportSection: (test, labels) =>
      `<p>loss <b>${num(test.loss)}</b>, mean foreground Dice <b>${num(test.meanDice)}</b>, voxel accuracy ` +
      `<b>${pct(test.accuracy)}</b> on ${test.count} volumes (Dice per volume, averaged over the volumes holding ` +
      `the class; IoU over all voxels).</p>\n${dicePerClass(test, labels)}\n${slicesSvg(test.slices, labels)}\n` +
      `${confusionTable(test.confusion, labels)}`,
    contractScore: () => undefined,
  };
}
