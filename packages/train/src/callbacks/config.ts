// The training config's `callbacks` section: Keras's callbacks with Keras's argument meanings (camelCase names,
// as the rest of the config), validated up front.
import {
  boolean,
  type Check,
  ConfigError,
  isRecord,
  numberIn,
  oneOf,
  parseSection,
  positiveInt,
  positiveNumber,
} from '../config-checks.js';

export const MONITORS = ['val_loss', 'val_accuracy', 'val_dice', 'loss', 'accuracy'] as const;
export type Monitor = (typeof MONITORS)[number];
export type Mode = 'auto' | 'min' | 'max';

/** Keras CosineDecay (alpha = floor as a fraction of the initial rate), stepped per batch or per epoch. */
export interface CosineSchedule {
  type: 'cosine';
  per: 'step' | 'epoch';
  alpha: number;
  /** Steps (or epochs) to decay over; default: the whole run. */
  decaySteps?: number;
}

/** PyTorch OneCycleLR with anneal_strategy 'cos', three_phase false (momentum is not cycled). */
export interface OneCycleSchedule {
  type: 'oneCycle';
  per: 'step' | 'epoch';
  /** Peak rate (PyTorch max_lr); default: the optimizer's learningRate. */
  maxLearningRate?: number;
  pctStart: number;
  divFactor: number;
  finalDivFactor: number;
}

export type LrSchedule = CosineSchedule | OneCycleSchedule;

export interface ReduceLROnPlateauConfig {
  monitor: Monitor;
  factor: number;
  patience: number;
  mode: Mode;
  minDelta: number;
  cooldown: number;
  minLr: number;
}

export interface EarlyStoppingConfig {
  monitor: Monitor;
  minDelta: number;
  patience: number;
  mode: Mode;
  baseline?: number;
  restoreBestWeights: boolean;
}

export interface BestCheckpointConfig {
  monitor: Monitor;
  mode: Mode;
}

/** Weight averaging (weight-average.ts): an EMA per step or SWA per epoch, kept when better on validation. */
export interface WeightAverageConfig {
  /** 'ema': after every step, avg ← avg·decay + w·(1 − decay); 'swa': after each epoch, the running mean. */
  type: 'ema' | 'swa';
  /** EMA's decay per step (Keras's ema_momentum); SWA has none. */
  decay: number;
  /** 1-based epoch whose steps (EMA) or end (SWA) are averaged first; the first update copies the weights. */
  startEpoch: number;
  /** Scored on the validation rows only: default bestCheckpoint's monitor, else val_loss. */
  monitor: 'val_loss' | 'val_accuracy';
  mode: Mode;
}

export interface CallbacksConfig {
  lrSchedule?: LrSchedule;
  reduceLROnPlateau?: ReduceLROnPlateauConfig;
  earlyStopping?: EarlyStoppingConfig;
  bestCheckpoint?: BestCheckpointConfig;
  weightAverage?: WeightAverageConfig;
}

const count: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 0 ? undefined : 'a non-negative integer';
const nonNegative: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a non-negative number';
const finite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a number');
const monitor = oneOf(MONITORS);
const mode = oneOf(['auto', 'min', 'max']);
const per = oneOf(['step', 'epoch']);

function parseSchedule(where: string, raw: unknown): LrSchedule {
  if (!isRecord(raw)) throw new ConfigError(`${where}: expected an object`);
  if (raw.type === 'cosine') {
    return parseSection<CosineSchedule>(
      `${where} (cosine)`,
      raw,
      { type: oneOf(['cosine']), per, alpha: numberIn(0, 1), decaySteps: positiveInt },
      ['type'],
      { per: 'step', alpha: 0 },
    );
  }
  if (raw.type === 'oneCycle') {
    return parseSection<OneCycleSchedule>(
      `${where} (oneCycle)`,
      raw,
      {
        type: oneOf(['oneCycle']),
        per,
        maxLearningRate: positiveNumber,
        pctStart: numberIn(0, 1, { loOpen: true, hiOpen: true }),
        divFactor: positiveNumber,
        finalDivFactor: positiveNumber,
      },
      ['type'],
      { per: 'step', pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 },
    );
  }
  throw new ConfigError(
    `${where}: 'type' must be one of "cosine", "oneCycle", got ${JSON.stringify(raw.type)}`,
  );
}

function parseWeightAverage(
  where: string,
  raw: unknown,
  best: BestCheckpointConfig | undefined,
): WeightAverageConfig {
  const parsed = parseSection<WeightAverageConfig>(
    where,
    raw,
    {
      type: oneOf(['ema', 'swa']),
      decay: numberIn(0, 1, { loOpen: true, hiOpen: true }),
      startEpoch: positiveInt,
      monitor: oneOf(['val_loss', 'val_accuracy']),
      mode,
    },
    ['type'],
    {
      decay: 0.999,
      startEpoch: 1,
      monitor: best?.monitor.startsWith('val_') ? best.monitor : 'val_loss',
      mode: best?.mode ?? 'auto',
    },
  );
  if (best && (parsed.monitor !== best.monitor || parsed.mode !== best.mode)) {
    throw new ConfigError(
      `${where}: monitor '${parsed.monitor}' (${parsed.mode}) must equal bestCheckpoint's '${best.monitor}' (${best.mode}): the two kept weights are compared on it`,
    );
  }
  return parsed;
}

/** Validates the `callbacks` section; `validationSplit` decides whether val_* monitors exist. */
export function parseCallbacks(source: string, raw: unknown, validationSplit: number): CallbacksConfig {
  const where = `${source}: callbacks`;
  const object: Check = (v) => (isRecord(v) ? undefined : 'an object');
  const top = parseSection<Record<string, unknown>>(
    where,
    raw,
    {
      lrSchedule: object,
      reduceLROnPlateau: object,
      earlyStopping: object,
      bestCheckpoint: object,
      weightAverage: object,
    },
    [],
    {},
  );
  const out: CallbacksConfig = {};
  if (top.lrSchedule !== undefined) out.lrSchedule = parseSchedule(`${where}.lrSchedule`, top.lrSchedule);
  if (top.reduceLROnPlateau !== undefined) {
    out.reduceLROnPlateau = parseSection(
      `${where}.reduceLROnPlateau`,
      top.reduceLROnPlateau,
      {
        monitor,
        factor: numberIn(0, 1, { loOpen: true, hiOpen: true }),
        patience: count,
        mode,
        minDelta: nonNegative,
        cooldown: count,
        minLr: nonNegative,
      },
      [],
      { monitor: 'val_loss', factor: 0.1, patience: 10, mode: 'auto', minDelta: 1e-4, cooldown: 0, minLr: 0 },
    );
  }
  if (top.earlyStopping !== undefined) {
    out.earlyStopping = parseSection(
      `${where}.earlyStopping`,
      top.earlyStopping,
      {
        monitor,
        minDelta: nonNegative,
        patience: count,
        mode,
        baseline: finite,
        restoreBestWeights: boolean,
      },
      [],
      { monitor: 'val_loss', minDelta: 0, patience: 0, mode: 'auto', restoreBestWeights: false },
    );
  }
  if (top.bestCheckpoint !== undefined) {
    out.bestCheckpoint = parseSection(`${where}.bestCheckpoint`, top.bestCheckpoint, { monitor, mode }, [], {
      monitor: 'val_loss',
      mode: 'auto',
    });
  }
  if (top.weightAverage !== undefined) {
    out.weightAverage = parseWeightAverage(`${where}.weightAverage`, top.weightAverage, out.bestCheckpoint);
    if (validationSplit === 0) {
      throw new ConfigError(
        `${where}.weightAverage: is scored on the validation rows; needs a validationSplit above 0`,
      );
    }
  }
  if (out.lrSchedule && out.reduceLROnPlateau) {
    throw new ConfigError(
      `${where}: 'lrSchedule' and 'reduceLROnPlateau' both set the learning rate; configure one of them`,
    );
  }
  for (const key of ['reduceLROnPlateau', 'earlyStopping', 'bestCheckpoint'] as const) {
    const m = out[key]?.monitor;
    if (m?.startsWith('val_') && validationSplit === 0) {
      throw new ConfigError(`${where}.${key}: monitor '${m}' needs a validationSplit above 0`);
    }
  }
  return out;
}

/** Keras's mode 'auto': maximise accuracies, minimise losses. */
export function isMaximised(monitorName: Monitor, m: Mode): boolean {
  return m === 'max' || (m === 'auto' && (monitorName.endsWith('accuracy') || monitorName.endsWith('dice')));
}
