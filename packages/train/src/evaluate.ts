import * as tf from '@tensorflow/tfjs';
import { type RawRows, toTensors } from './batches.js';
import { DATASET_CONTRACT } from './dataset-contract.js';

const CLASSES = DATASET_CONTRACT.labels.length;

export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
  /** confusion[true][predicted] = number of samples. */
  confusion: number[][];
}

/** Accumulates categorical cross-entropy (the training loss), accuracy and a confusion matrix over batches. */
export class Evaluator {
  private lossSum = 0;
  private correct = 0;
  private count = 0;
  private readonly confusion: number[][] = Array.from({ length: CLASSES }, () =>
    new Array<number>(CLASSES).fill(0),
  );

  constructor(private readonly model: tf.LayersModel) {}

  /** Adds `count` raw rows with their labels. */
  add(x: RawRows, y: Int32Array, count: number): void {
    if (count === 0) return;
    const { lossSum, predicted } = tf.tidy(() => {
      const { xs, ys } = toTensors(x, y, count);
      const probs = this.model.predict(xs) as tf.Tensor;
      return {
        lossSum: tf.sum(tf.metrics.categoricalCrossentropy(ys, probs)).dataSync()[0] as number,
        predicted: tf.argMax(probs, -1).dataSync() as Int32Array,
      };
    });
    this.lossSum += lossSum;
    for (let i = 0; i < count; i++) {
      const truth = y[i] as number;
      const guess = predicted[i] as number;
      if (truth === guess) this.correct++;
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
    };
  }
}
