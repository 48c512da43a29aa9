// Learning-rate schedules as functions of the step index t (0 for the first step, or the epoch index when stepped
// per epoch). Cosine follows Keras's CosineDecay; one-cycle follows PyTorch's OneCycleLR (anneal 'cos',
// two phases), checked against torch's own values in the tests.
import type { LrSchedule } from './config.js';

/** Keras CosineDecay: base · ((1 − α) · ½(1 + cos(π · min(t, T) / T)) + α). */
export function cosineDecay(t: number, base: number, decaySteps: number, alpha: number): number {
  const progress = Math.min(t, decaySteps) / decaySteps;
  return base * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha);
}

const annealCos = (start: number, end: number, pct: number): number =>
  end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);

/**
 * PyTorch OneCycleLR: from max/div up to max over the first pctStart · total − 1 steps, then down to
 * max/div/finalDiv at step total − 1, both with cosine annealing.
 */
export function oneCycle(
  t: number,
  total: number,
  max: number,
  pctStart: number,
  divFactor: number,
  finalDivFactor: number,
): number {
  const initial = max / divFactor;
  const min = initial / finalDivFactor;
  const upEnd = pctStart * total - 1;
  if (t <= upEnd) return annealCos(initial, max, t / upEnd);
  return annealCos(max, min, (t - upEnd) / (total - 1 - upEnd));
}

/** The rate of step `step` of epoch `epoch` (both from 0). */
export function scheduledRate(
  schedule: LrSchedule,
  baseRate: number,
  epoch: number,
  step: number,
  stepsPerEpoch: number,
  epochs: number,
): number {
  const perStep = schedule.per === 'step';
  const t = perStep ? epoch * stepsPerEpoch + step : epoch;
  const total = perStep ? epochs * stepsPerEpoch : epochs;
  if (schedule.type === 'cosine')
    return cosineDecay(t, baseRate, schedule.decaySteps ?? total, schedule.alpha);
  return oneCycle(
    t,
    total,
    schedule.maxLearningRate ?? baseRate,
    schedule.pctStart,
    schedule.divFactor,
    schedule.finalDivFactor,
  );
}
