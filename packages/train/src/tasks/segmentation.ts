// Segmentation as a task: a softmax per voxel trained on integer label volumes with the configured per-voxel loss
// (segmentation-losses.ts) in its own optimizer step (tfjs's trainOnBatch wants one-hot targets shaped like the
// output), on whole volumes or on seeded random patches balanced between foreground and background
// (patch-crops.ts), with seeded flips that move image and labels together, per-class Dice / IoU / voxel confusion
// per split on whole volumes (core's sliding windows when the model takes patches; segmentation-metrics.ts) and a
// report section with a few test slices.
import { type ModelContract, preprocessBatch, Rng, slidingWindow } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import type { RawBatch } from '../augmentation/epoch-rows.js';
import { flip, VoxelGrid } from '../augmentation/voxel-ops.js';
import type { RawRows } from '../batches.js';
import type { TrainConfig } from '../config.js';
import { confusionTable, escapeHtml, num, pct } from '../report.js';
import type { PreparedBatch } from '../stream/prepare.js';
import { cropVolume, drawCrop } from './patch-crops.js';
import { parseSegmentation, type SegmentationConfig } from './segmentation-config.js';
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
/** Stream key of the crops of one training step's volumes. */
const CROP_STREAM = 0xc70;

class SegmentationEvaluator implements TaskEvaluator<SegmentationEvaluation> {
  private lossSum = 0;
  private count = 0;
  private readonly scorer: SegmentationScorer;
  private readonly slices: VolumeSlice[] = [];

  /** `contract`: the model's (its grid is the patch); `rows`: the whole volumes' (the data's grid). */
  constructor(
    private readonly model: tf.LayersModel,
    private readonly contract: ModelContract,
    private readonly rows: ModelContract,
    private readonly config: TrainConfig,
    private readonly keepSlices: number,
  ) {
    this.scorer = new SegmentationScorer(contract.labels.length);
  }

  add(x: RawRows, y: Int32Array, count: number, firstRow: number): Promise<void> {
    return this.addPrepared(preprocessBatch(this.rows, x, count), y, count, firstRow);
  }

  /** The model's per-voxel probabilities of whole volumes: directly, or blended over core's sliding windows. */
  private async probabilities(inputs: Float32Array, count: number): Promise<Float32Array> {
    const { model, contract, rows } = this;
    const predict = (input: Float32Array, n: number): Float32Array =>
      tf.tidy(() =>
        (model.predict(tf.tensor(input, [n, ...contract.inputShape])) as tf.Tensor).dataSync(),
      ) as Float32Array;
    if (rows === contract) return predict(inputs, count);
    const classes = contract.labels.length;
    const volume = rows.grid[0] * rows.grid[1] * rows.grid[2];
    const out = new Float32Array(count * volume * classes);
    for (let n = 0; n < count; n++) {
      const one = inputs.subarray(n * volume * contract.channels, (n + 1) * volume * contract.channels);
      const result = await slidingWindow(
        one,
        rows.grid,
        contract.channels,
        classes,
        async (x, k) => predict(x, k),
        {
          roi: contract.grid,
          probabilities: true,
        },
      );
      out.set(result.probabilities as Float32Array, n * volume * classes);
    }
    return out;
  }

  async addPrepared(inputs: Float32Array, y: Int32Array, count: number, firstRow: number): Promise<void> {
    if (count === 0) return;
    const { rows, config } = this;
    const [d, h, w] = rows.grid;
    const classes = rows.labels.length;
    const labels = y.subarray(0, count * d * h * w);
    const values = await this.probabilities(inputs, count);
    const targets = voxelTargets(labels, count, classes, config.segmentation?.classWeights);
    const { loss, predicted } = tf.tidy(() => {
      const probs = tf.tensor(values, [count, d, h, w, classes]);
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
    const [d, h, w] = this.rows.grid;
    const channels = this.rows.channels;
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

/**
 * The step's samples: copies of the whole volumes (flips write in place, and a stored or streamed batch must stay
 * as read), or `numSamples` seeded crops of each, keyed by (seed, epoch, step, volume, sample) alone so a resumed
 * run draws what an uninterrupted one does. Whole volumes are preprocessed before cropping, as inference
 * preprocesses a whole scan before its windows.
 */
function stepSamples(
  seg: SegmentationConfig,
  contract: ModelContract,
  rows: ModelContract,
  inputs: Float32Array,
  y: Int32Array,
  count: number,
  key: readonly number[],
): { inputs: Float32Array; labels: Int32Array; count: number } {
  const grid = rows.grid;
  const volume = grid[0] * grid[1] * grid[2];
  if (rows === contract) return { inputs: inputs.slice(), labels: y.slice(0, count * volume), count };
  const patch = contract.grid;
  const voxels = patch[0] * patch[1] * patch[2];
  const channels = contract.channels;
  const samples = count * seg.numSamples;
  const out = {
    inputs: new Float32Array(samples * voxels * channels),
    labels: new Int32Array(samples * voxels),
    count: samples,
  };
  for (let n = 0; n < count; n++) {
    const x = inputs.subarray(n * volume * channels, (n + 1) * volume * channels);
    const labels = y.subarray(n * volume, (n + 1) * volume);
    for (let s = 0; s < seg.numSamples; s++) {
      const { start } = drawCrop(labels, grid, patch, seg, new Rng(...key, n, s));
      const i = n * seg.numSamples + s;
      cropVolume(
        x,
        grid,
        channels,
        start,
        patch,
        out.inputs.subarray(i * voxels * channels, (i + 1) * voxels * channels),
      );
      cropVolume(labels, grid, 1, start, patch, out.labels.subarray(i * voxels, (i + 1) * voxels));
    }
  }
  return out;
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

/**
 * `contract`: the model's (its grid is the training patch); `rows`: the stored volumes' (the data's grid), the
 * same object when the model takes whole volumes.
 */
export function segmentationTask(
  contract: ModelContract,
  rows: ModelContract,
  config: TrainConfig,
): Task<SegmentationEvaluation> {
  const seg = config.segmentation ?? parseSegmentation('config', {});
  const classes = contract.labels.length;
  return {
    labelLength: rows.grid[0] * rows.grid[1] * rows.grid[2],
    async trainStep(model, batch: RawBatch | PreparedBatch, epoch, step) {
      const whole = 'inputs' in batch ? batch.inputs : preprocessBatch(rows, batch.x, batch.count);
      const key = [config.seed, CROP_STREAM, epoch, step];
      const { inputs, labels, count } = stepSamples(seg, contract, rows, whole, batch.y, batch.count, key);
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
    evaluator: (model, keepSlices = 0) =>
      new SegmentationEvaluator(model, contract, rows, config, keepSlices),
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
