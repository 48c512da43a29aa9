import type { ModelContract } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { batchTensors, type RawRows, toTensors } from './batches.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
  /** confusion[true][predicted] = number of samples. */
  confusion: number[][];
  /** Accuracy on the even rows (3D MNIST's originals) and the odd rows (their rotated copies) of the split. */
  originals: { accuracy: number; count: number };
  rotatedCopies: { accuracy: number; count: number };
}

const part = (p: { correct: number; count: number } | undefined): { accuracy: number; count: number } => ({
  accuracy: p?.count ? p.correct / p.count : Number.NaN,
  count: p?.count ?? 0,
});

/** Accumulates categorical cross-entropy (the training loss), accuracy and a confusion matrix over batches. */
export class Evaluator {
  private lossSum = 0;
  private correct = 0;
  private count = 0;
  /** Correct and seen, by row parity: [even, odd]. */
  private readonly byParity = [
    { correct: 0, count: 0 },
    { correct: 0, count: 0 },
  ];
  private readonly confusion: number[][];

  /** `model` null: only addProbabilities (an ensemble's or test-time views' mean, computed by the caller). */
  constructor(
    private readonly model: Pick<tf.LayersModel, 'predict'> | null,
    private readonly contract: ModelContract,
  ) {
    const classes = contract.labels.length;
    this.confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  }

  /** Adds `count` raw rows with their labels; `firstRow` is the first one's row index in its split. */
  add(x: RawRows, y: Int32Array, count: number, firstRow: number): void {
    this.addTensors(() => toTensors(this.contract, x, y, count), y, count, firstRow);
  }

  /** Adds `count` preprocessed samples (a streamed batch); `firstRow` as for add(). */
  addPrepared(inputs: Float32Array, y: Int32Array, count: number, firstRow: number): void {
    this.addTensors(() => batchTensors(this.contract, inputs, y, count), y, count, firstRow);
  }

  /** Adds `count` samples' class probabilities, row-major [count, K]; `firstRow` as for add(). */
  addProbabilities(probabilities: Float32Array, y: Int32Array, count: number, firstRow: number): void {
    const classes = this.contract.labels.length;
    this.addTensors(
      () => ({
        xs: tf.tensor2d(probabilities.subarray(0, count * classes), [count, classes]),
        ys: tf.oneHot(tf.tensor1d(y.subarray(0, count), 'int32'), classes).toFloat(),
      }),
      y,
      count,
      firstRow,
      true,
    );
  }

  private addTensors(
    tensors: () => { xs: tf.Tensor; ys: tf.Tensor },
    y: Int32Array,
    count: number,
    firstRow: number,
    given = false,
  ): void {
    if (count === 0) return;
    const { model } = this;
    if (!given && model === null) throw new Error('Evaluator: no model to predict with');
    const { lossSum, predicted } = tf.tidy(() => {
      const { xs, ys } = tensors();
      const probs = given ? xs : (model?.predict(xs) as tf.Tensor);
      return {
        lossSum: tf.sum(tf.metrics.categoricalCrossentropy(ys, probs)).dataSync()[0] as number,
        predicted: tf.argMax(probs, -1).dataSync() as Int32Array,
      };
    });
    this.lossSum += lossSum;
    for (let i = 0; i < count; i++) {
      const truth = y[i] as number;
      const guess = predicted[i] as number;
      const parity = this.byParity[(firstRow + i) % 2] as { correct: number; count: number };
      parity.count++;
      if (truth === guess) {
        this.correct++;
        parity.correct++;
      }
      (this.confusion[truth] as number[])[guess] = ((this.confusion[truth] as number[])[guess] as number) + 1;
    }
    this.count += count;
  }

  result(): Evaluation {
    return {
      loss: this.count ? this.lossSum / this.count : Number.NaN,
      accuracy: this.count ? this.correct / this.count : Number.NaN,
      count: this.count,
      confusion: this.confusion.map((row) => [...row]),
      originals: part(this.byParity[0]),
      rotatedCopies: part(this.byParity[1]),
    };
  }
}
