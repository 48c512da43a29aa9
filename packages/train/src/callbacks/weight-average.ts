// Weight averaging: an exponential moving average of the weights updated after every step (timm's ModelEmaV2,
// Keras 3's use_ema), or SWA's equal average of the weights at the end of each epoch from a start epoch. Every
// weight of the model is averaged, BatchNormalization's moving statistics included (torch's
// AveragedModel(use_buffers=True)), so the averaged model needs no pass over the data to fix its statistics. The
// average is scored on the validation rows after every epoch; its best epoch is kept, and the run folder gets
// it when it beats the plain weights on the monitored value. The whole state goes into the run's checkpoint.
import * as tf from '@tensorflow/tfjs';
import type { SavedArray } from '../checkpoint.js';
import type { BaseEvaluation } from '../tasks/task.js';
import { isMaximised, type Monitor, type WeightAverageConfig } from './config.js';

/** The average's validation scores after one epoch (1-based). */
export interface AverageEpoch {
  epoch: number;
  val_loss: number;
  val_accuracy: number;
}

export interface WeightAverageState {
  /** Updates folded into the average so far (0: no average yet). */
  updates: number;
  /** Best monitored value of the average so far (null: none yet) and its 1-based epoch. */
  best: number | null;
  bestEpoch: number;
  /** The plain weights' monitored value after the last epoch. */
  lastPlain: number | null;
  history: AverageEpoch[];
}

/** What the run folder says about the average: which weights won, and on which values. */
export interface WeightAverageOutcome {
  type: 'ema' | 'swa';
  monitor: Monitor;
  /** The average's best epoch and its monitored value (absent when it never ran). */
  bestEpoch?: number;
  best?: number;
  /** The plain weights' monitored value it was compared with. */
  plain?: number;
  /** Whether the run folder holds the average. */
  chosen: boolean;
  history: AverageEpoch[];
}

const AVERAGE = 'weightAverage/average/';
const BEST = 'weightAverage/best/';

/**
 * Keeps the average as tfjs variables beside the model's (one multiply-add per weight per update, on the
 * training backend) and a float32 copy of its best epoch.
 */
export class WeightAverage {
  state: WeightAverageState = { updates: 0, best: null, bestEpoch: 0, lastPlain: null, history: [] };
  private average: tf.Variable[] = [];
  private bestArrays: SavedArray[] = [];
  private readonly maximise: boolean;

  constructor(
    readonly config: WeightAverageConfig,
    private readonly model: tf.LayersModel,
  ) {
    this.maximise = isMaximised(config.monitor, config.mode);
  }

  /** After step `step` of 0-based `epoch`: folds the new weights into an EMA. */
  afterStep(epoch: number): void {
    if (this.config.type === 'ema' && epoch + 1 >= this.config.startEpoch) this.update(this.config.decay);
  }

  /** Folds the weights into the average: avg ← avg·keep + w·(1 − keep), computed in float32 in that order. */
  private update(keep: number): void {
    const weights = this.model.weights;
    if (this.state.updates === 0) {
      this.dispose();
      this.average = weights.map((w) => tf.tidy(() => tf.variable(w.read().clone(), false)));
    } else {
      tf.tidy(() => {
        const k = tf.scalar(keep);
        const fresh = tf.scalar(1 - keep);
        weights.forEach((w, i) => {
          const avg = this.average[i] as tf.Variable;
          avg.assign(tf.add(tf.mul(avg, k), tf.mul(w.read(), fresh)));
        });
      });
    }
    this.state.updates++;
  }

  /**
   * After 0-based `epoch`'s training: the SWA update, then the average scored by `evaluate` (the validation rows)
   * with the plain weights put back afterwards. Returns the scores, or undefined before the average exists.
   */
  async afterEpoch(
    epoch: number,
    evaluate: () => Promise<BaseEvaluation>,
  ): Promise<AverageEpoch | undefined> {
    if (this.config.type === 'swa' && epoch + 1 >= this.config.startEpoch) {
      this.update(this.state.updates / (this.state.updates + 1));
    }
    if (this.state.updates === 0) return undefined;
    const plain = this.model.weights.map((w) => w.read().clone());
    let val: BaseEvaluation;
    try {
      this.model.setWeights(this.average);
      val = await evaluate();
    } finally {
      this.model.setWeights(plain);
      for (const t of plain) t.dispose();
    }
    const scores = { epoch: epoch + 1, val_loss: val.loss, val_accuracy: val.accuracy };
    this.state.history.push(scores);
    const current = scores[this.config.monitor];
    if (Number.isFinite(current) && this.improves(current, this.state.best)) {
      this.state.best = current;
      this.state.bestEpoch = epoch + 1;
      this.bestArrays = this.snapshot(this.average, BEST);
    }
    return scores;
  }

  private improves(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return this.maximise ? value > reference : value < reference;
  }

  private snapshot(tensors: readonly tf.Tensor[], prefix: string): SavedArray[] {
    return this.model.weights.map((w, i) => ({
      name: prefix + w.originalName,
      shape: w.shape as number[],
      values: Float32Array.from((tensors[i] as tf.Tensor).dataSync() as Float32Array),
    }));
  }

  /** The arrays the checkpoint keeps: the running average and its best epoch. */
  arrays(): SavedArray[] {
    return this.state.updates === 0 ? [] : [...this.snapshot(this.average, AVERAGE), ...this.bestArrays];
  }

  restore(state: WeightAverageState, arrays: readonly SavedArray[]): void {
    this.state = structuredClone(state);
    this.dispose();
    const average = arrays.filter((a) => a.name.startsWith(AVERAGE));
    this.average = average.map((a) =>
      tf.tidy(() => tf.variable(tf.tensor(a.values, a.shape, 'float32'), false)),
    );
    this.bestArrays = arrays.filter((a) => a.name.startsWith(BEST));
  }

  /**
   * After training: puts the best average into the model when it beats `plain`, the monitored value of the
   * weights the run folder would otherwise hold (undefined: not comparable, they stay); frees the average.
   */
  finish(plain: number | undefined): WeightAverageOutcome {
    const { type, monitor } = this.config;
    const { best, bestEpoch, history } = this.state;
    const chosen =
      best !== null &&
      this.bestArrays.length > 0 &&
      plain !== undefined &&
      Number.isFinite(plain) &&
      this.improves(best, plain);
    if (chosen) {
      const tensors = this.bestArrays.map((a) => tf.tensor(a.values, a.shape, 'float32'));
      try {
        this.model.setWeights(tensors);
      } finally {
        for (const t of tensors) t.dispose();
      }
    }
    this.dispose();
    return {
      type,
      monitor,
      ...(best !== null && { bestEpoch, best }),
      ...(plain !== undefined && { plain }),
      chosen,
      history,
    };
  }

  dispose(): void {
    for (const v of this.average) v.dispose();
    this.average = [];
  }
}
