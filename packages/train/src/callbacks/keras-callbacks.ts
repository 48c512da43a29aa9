// ReduceLROnPlateau, EarlyStopping and the best-epoch checkpoint (ModelCheckpoint save_best_only) with Keras 3's
// semantics, as plain state machines over per-epoch metrics. Their state is plain JSON plus weight arrays, so
// the run's checkpoint can hold it and a resumed run continues with exactly the same decisions.
import {
  type BestCheckpointConfig,
  type EarlyStoppingConfig,
  isMaximised,
  type Monitor,
  type ReduceLROnPlateauConfig,
} from './config.js';

/** An epoch's metrics; val_dice only for a segmenter (a monitor missing from the logs never improves). */
export type EpochLogs = Readonly<Partial<Record<Monitor, number>>>;

/** JSON has no Infinity: the initial "best" of a fresh callback is stored as null. */
type Best = number | null;
const fromBest = (best: Best, maximise: boolean): number =>
  best ?? (maximise ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
const toBest = (value: number): Best => (Number.isFinite(value) ? value : null);

export interface PlateauState {
  best: Best;
  wait: number;
  cooldownCounter: number;
}

/** Keras ReduceLROnPlateau: after `patience` epochs without improvement by more than minDelta, lr ·= factor. */
export class ReduceLROnPlateau {
  private readonly maximise: boolean;
  state: PlateauState = { best: null, wait: 0, cooldownCounter: 0 };

  constructor(private readonly config: ReduceLROnPlateauConfig) {
    this.maximise = isMaximised(config.monitor, config.mode);
  }

  private improved(current: number, best: number): boolean {
    const { minDelta } = this.config;
    return this.maximise ? current > best + minDelta : current < best - minDelta;
  }

  /** Returns the learning rate for the next epoch. */
  onEpochEnd(logs: EpochLogs, lr: number): number {
    const current = logs[this.config.monitor] ?? Number.NaN;
    if (!Number.isFinite(current)) return lr;
    const s = this.state;
    if (s.cooldownCounter > 0) {
      s.cooldownCounter--;
      s.wait = 0;
    }
    if (this.improved(current, fromBest(s.best, this.maximise))) {
      s.best = toBest(current);
      s.wait = 0;
    } else if (s.cooldownCounter === 0) {
      s.wait++;
      if (s.wait >= this.config.patience && lr > Math.fround(this.config.minLr)) {
        // Keras keeps the rate in a float32 variable.
        const next = Math.fround(Math.max(lr * this.config.factor, this.config.minLr));
        s.cooldownCounter = this.config.cooldown;
        s.wait = 0;
        return next;
      }
    }
    return lr;
  }
}

export interface EarlyStoppingState {
  best: Best;
  bestEpoch: number;
  wait: number;
  stoppedEpoch: number | null;
}

/** Keras EarlyStopping: stop after `patience` epochs without an improvement of more than minDelta. */
export class EarlyStopping {
  private readonly maximise: boolean;
  state: EarlyStoppingState = { best: null, bestEpoch: -1, wait: 0, stoppedEpoch: null };

  constructor(private readonly config: EarlyStoppingConfig) {
    this.maximise = isMaximised(config.monitor, config.mode);
  }

  private improves(value: number, reference: number): boolean {
    const { minDelta } = this.config;
    return this.maximise ? value - minDelta > reference : value + minDelta < reference;
  }

  /** Returns whether the epoch is the best so far (its weights are the ones to keep) and whether to stop. */
  onEpochEnd(epoch: number, logs: EpochLogs): { best: boolean; stop: boolean } {
    const current = logs[this.config.monitor] ?? Number.NaN;
    if (!Number.isFinite(current)) return { best: false, stop: false };
    const s = this.state;
    s.wait++;
    if (this.improves(current, fromBest(s.best, this.maximise))) {
      s.best = toBest(current);
      s.bestEpoch = epoch;
      const { baseline } = this.config;
      if (baseline === undefined || this.improves(current, baseline)) s.wait = 0;
      return { best: true, stop: false };
    }
    if (s.wait >= this.config.patience && epoch > 0) {
      s.stoppedEpoch = epoch;
      return { best: false, stop: true };
    }
    return { best: false, stop: false };
  }
}

export interface BestCheckpointState {
  best: Best;
  bestEpoch: number;
}

/** Keras ModelCheckpoint(save_best_only=True): keeps the weights of the epoch with the best monitored value. */
export class BestCheckpoint {
  private readonly maximise: boolean;
  state: BestCheckpointState = { best: null, bestEpoch: -1 };

  constructor(private readonly config: BestCheckpointConfig) {
    this.maximise = isMaximised(config.monitor, config.mode);
  }

  /** Whether this epoch's weights replace the kept ones. */
  onEpochEnd(epoch: number, logs: EpochLogs): boolean {
    const current = logs[this.config.monitor] ?? Number.NaN;
    if (!Number.isFinite(current)) return false;
    const best = fromBest(this.state.best, this.maximise);
    if (this.maximise ? current > best : current < best) {
      this.state = { best: toBest(current), bestEpoch: epoch };
      return true;
    }
    return false;
  }
}
