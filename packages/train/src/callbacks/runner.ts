// Runs the configured callbacks around the training loop: sets the learning rate before each step, makes the
// per-epoch decisions (plateau, early stop, best epoch) and keeps the weights they need, and hands its whole state
// to the checkpoint so a resumed run makes the same decisions.
import * as tf from '@tensorflow/tfjs';
import type { SavedArray } from '../checkpoint.js';
import { ConfigError } from '../config-checks.js';
import type { BaseEvaluation } from '../tasks/task.js';
import type { CallbacksConfig } from './config.js';
import {
  BestCheckpoint,
  type BestCheckpointState,
  EarlyStopping,
  type EarlyStoppingState,
  type EpochLogs,
  type PlateauState,
  ReduceLROnPlateau,
} from './keras-callbacks.js';
import { scheduledRate } from './lr-schedules.js';
import {
  type AverageEpoch,
  WeightAverage,
  type WeightAverageOutcome,
  type WeightAverageState,
} from './weight-average.js';

export interface CallbackState {
  /** The optimizer's rate after the last complete epoch (ReduceLROnPlateau changes it). */
  lr: number;
  plateau?: PlateauState;
  earlyStopping?: EarlyStoppingState;
  bestCheckpoint?: BestCheckpointState;
  weightAverage?: WeightAverageState;
  stopped: boolean;
}

export interface CallbackOutcome {
  /** Where the final weights come from. */
  weights: 'last epoch' | 'best epoch' | 'early stopping' | 'weight average';
  /** 1-based epoch whose weights the run folder holds, when not the last. */
  bestEpoch?: number;
  /** 1-based epoch after which EarlyStopping stopped the run. */
  stoppedEpoch?: number;
  /** The weight average's scores and whether it was chosen (when configured). */
  weightAverage?: WeightAverageOutcome;
}

const EARLY = 'earlyStopping/';
const BEST = 'bestCheckpoint/';

type Rated = { learningRate: number };

function snapshot(model: tf.LayersModel, prefix: string): SavedArray[] {
  return model.weights.map((w) => ({
    name: prefix + w.originalName,
    shape: w.shape as number[],
    values: Float32Array.from(w.read().dataSync() as Float32Array),
  }));
}

function load(model: tf.LayersModel, arrays: SavedArray[]): void {
  const tensors = arrays.map((a) => tf.tensor(a.values, a.shape, 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    for (const t of tensors) t.dispose();
  }
}

export class CallbackRunner {
  private readonly plateau: ReduceLROnPlateau | undefined;
  private readonly early: EarlyStopping | undefined;
  private readonly best: BestCheckpoint | undefined;
  private readonly average: WeightAverage | undefined;
  private earlyWeights: SavedArray[] = [];
  private bestWeights: SavedArray[] = [];
  private stopped = false;

  constructor(
    private readonly config: CallbacksConfig,
    private readonly model: tf.LayersModel,
    private readonly baseRate: number,
    private readonly epochs: number,
    private readonly stepsPerEpoch: number,
    source: string,
  ) {
    const s = config.lrSchedule;
    if (s?.type === 'oneCycle') {
      const total = s.per === 'step' ? epochs * stepsPerEpoch : epochs;
      const upEnd = s.pctStart * total - 1;
      if (!(upEnd > 0 && total - 1 - upEnd > 0)) {
        throw new ConfigError(
          `${source}: callbacks.lrSchedule (oneCycle): pctStart ${s.pctStart} of ${total} ${s.per}s leaves an empty warm-up or annealing phase`,
        );
      }
    }
    if (config.reduceLROnPlateau) this.plateau = new ReduceLROnPlateau(config.reduceLROnPlateau);
    if (config.earlyStopping) this.early = new EarlyStopping(config.earlyStopping);
    if (config.bestCheckpoint) this.best = new BestCheckpoint(config.bestCheckpoint);
    if (config.weightAverage) this.average = new WeightAverage(config.weightAverage, model);
  }

  private get optimizer(): Rated {
    return this.model.optimizer as unknown as Rated;
  }

  /** Whether the run logs the learning rate per epoch (Keras adds it when a callback manages it). */
  get managesRate(): boolean {
    return this.config.lrSchedule !== undefined || this.plateau !== undefined;
  }

  get hasStopped(): boolean {
    return this.stopped;
  }

  beforeStep(epoch: number, step: number): void {
    const s = this.config.lrSchedule;
    if (!s || (s.per === 'epoch' && step > 0)) return;
    this.optimizer.learningRate = scheduledRate(
      s,
      this.baseRate,
      epoch,
      step,
      this.stepsPerEpoch,
      this.epochs,
    );
  }

  /** After each training step: the EMA's update. */
  afterStep(epoch: number): void {
    this.average?.afterStep(epoch);
  }

  /**
   * After an epoch's training and validation: the weight average (if configured) scored by `evaluate` on the
   * validation rows, the model's own weights back in place afterwards; a line for the log, or undefined.
   */
  async validateAverage(epoch: number, evaluate: () => Promise<BaseEvaluation>): Promise<string | undefined> {
    const scores: AverageEpoch | undefined = await this.average?.afterEpoch(epoch, evaluate);
    if (!scores || !this.average) return undefined;
    return `  ${this.average.config.type} of the weights: val_loss: ${scores.val_loss.toFixed(4)} - val_accuracy: ${scores.val_accuracy.toFixed(4)}`;
  }

  /** The epoch's decisions; returns the rate the epoch trained with (last step) and whether to stop. */
  afterEpoch(epoch: number, logs: EpochLogs): { lr: number; stop: boolean } {
    const lr = this.optimizer.learningRate;
    if (this.plateau) this.optimizer.learningRate = this.plateau.onEpochEnd(logs, lr);
    if (this.early) {
      const { best, stop } = this.early.onEpochEnd(epoch, logs);
      if (best && this.config.earlyStopping?.restoreBestWeights)
        this.earlyWeights = snapshot(this.model, EARLY);
      if (stop) this.stopped = true;
    }
    if (this.best?.onEpochEnd(epoch, logs)) this.bestWeights = snapshot(this.model, BEST);
    if (this.average) this.average.state.lastPlain = logs[this.average.config.monitor] ?? null;
    return { lr, stop: this.stopped };
  }

  save(): { state: CallbackState; arrays: SavedArray[] } {
    const state: CallbackState = { lr: this.optimizer.learningRate, stopped: this.stopped };
    if (this.plateau) state.plateau = { ...this.plateau.state };
    if (this.early) state.earlyStopping = { ...this.early.state };
    if (this.best) state.bestCheckpoint = { ...this.best.state };
    if (this.average) state.weightAverage = structuredClone(this.average.state);
    return {
      state,
      arrays: [...this.earlyWeights, ...this.bestWeights, ...(this.average?.arrays() ?? [])],
    };
  }

  restore(state: CallbackState, arrays: SavedArray[]): void {
    this.optimizer.learningRate = state.lr;
    this.stopped = state.stopped;
    if (this.plateau && state.plateau) this.plateau.state = { ...state.plateau };
    if (this.early && state.earlyStopping) this.early.state = { ...state.earlyStopping };
    if (this.best && state.bestCheckpoint) this.best.state = { ...state.bestCheckpoint };
    this.earlyWeights = arrays.filter((a) => a.name.startsWith(EARLY));
    this.bestWeights = arrays.filter((a) => a.name.startsWith(BEST));
    if (this.average && state.weightAverage) this.average.restore(state.weightAverage, arrays);
  }

  /**
   * Puts the final weights in place: the best epoch's when a best checkpoint is configured (the run folder's
   * model), else EarlyStopping's best when restoreBestWeights (Keras 3 restores at the end of training).
   */
  finish(): CallbackOutcome {
    const stoppedEpoch = this.early?.state.stoppedEpoch;
    let outcome: CallbackOutcome = { weights: 'last epoch' };
    let plain = this.average?.state.lastPlain ?? undefined;
    if (stoppedEpoch !== null && stoppedEpoch !== undefined) outcome.stoppedEpoch = stoppedEpoch + 1;
    if (this.best && this.bestWeights.length > 0) {
      load(this.model, this.bestWeights);
      outcome = { ...outcome, weights: 'best epoch', bestEpoch: this.best.state.bestEpoch + 1 };
      plain = this.best.state.best ?? undefined;
    } else if (this.early && this.earlyWeights.length > 0) {
      load(this.model, this.earlyWeights);
      outcome = { ...outcome, weights: 'early stopping', bestEpoch: this.early.state.bestEpoch + 1 };
      // Restored weights scored on another monitor cannot be compared with the average: they stay.
      const same = this.config.earlyStopping?.monitor === this.average?.config.monitor;
      plain = same ? (this.early.state.best ?? undefined) : undefined;
    }
    if (!this.average) return outcome;
    const average = this.average.finish(plain);
    if (!average.chosen) return { ...outcome, weightAverage: average };
    return { ...outcome, weights: 'weight average', bestEpoch: average.bestEpoch, weightAverage: average };
  }
}
