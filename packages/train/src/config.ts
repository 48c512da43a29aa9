// The training config: a Keras-like list of layers (className + config, with tfjs's camelCase argument names), or
// a graph of named layers with their inputs (graph-config.ts), plus the compile and fit settings. Everything is validated up front so a bad file fails with one line that
// names the file, the layer index and the field, before any data is read or any weight is built.
import { readFileSync } from 'node:fs';
import { findPreprocessing, preprocessingIds } from '@conv3d/core';
import { type AugmentationConfig, parseAugmentation } from './augmentation/config.js';
import { type CallbacksConfig, parseCallbacks } from './callbacks/config.js';
import {
  boolean,
  type Check,
  ConfigError,
  checkFields,
  isRecord,
  nonEmptyString,
  numberIn,
  oneOf,
  positiveInt,
  positiveNumber,
  seedInt,
  shape,
  show,
  triple,
} from './config-checks.js';
import { type GraphSpec, parseGraph } from './graph-config.js';
import { parseSegmentation, type SegmentationConfig } from './tasks/segmentation-config.js';

export { ConfigError } from './config-checks.js';

export const LAYER_CLASSES = [
  'InputLayer',
  'Conv3D',
  'Conv3DTranspose',
  'MaxPooling3D',
  'AveragePooling3D',
  'GlobalAveragePooling3D',
  'BatchNormalization',
  'Flatten',
  'Dense',
  'Dropout',
  'Activation',
  'ReLU',
  'Softmax',
  'Concatenate',
  'Add',
] as const;
export type LayerClassName = (typeof LAYER_CLASSES)[number];

export const ACTIVATIONS = ['linear', 'relu', 'softmax', 'sigmoid', 'tanh'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Initializer names in tfjs spelling; Keras's snake_case spellings are accepted and mapped to these. */
export const INITIALIZERS = [
  'glorotUniform',
  'glorotNormal',
  'heUniform',
  'heNormal',
  'lecunUniform',
  'lecunNormal',
  'zeros',
  'ones',
] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

export interface LayerSpec {
  className: LayerClassName;
  /** Validated arguments in tfjs spelling (initializer names normalised to camelCase). */
  config: Record<string, unknown>;
  /** A graph layer's name and the layers (or the model input) it takes, in order; absent in a Sequential stack. */
  name?: string;
  inputs?: string[];
}

/** Classification: categorical cross-entropy; segmentation: per-voxel cross-entropy, soft Dice or both (MONAI's). */
export const LOSSES = [
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'dice',
  'diceCrossentropy',
] as const;
export type LossName = (typeof LOSSES)[number];
const LOSS_SPELLINGS: Readonly<Record<string, LossName>> = {
  categoricalCrossentropy: 'categoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  dice: 'dice',
  diceCrossentropy: 'diceCrossentropy',
  dice_ce: 'diceCrossentropy',
};

export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface TrainConfig {
  name: string;
  /** A Sequential stack, or a graph's layers in order (each with its name and inputs). */
  layers: LayerSpec[];
  /** A graph config's model input and output names (absent: a Sequential stack). */
  graph?: GraphSpec;
  loss: LossName;
  /** Per-voxel training settings (patch, flips, class weights); only with a segmentation loss. */
  segmentation?: SegmentationConfig;
  optimizer: { className: 'Adam'; config: AdamConfig };
  batchSize: number;
  epochs: number;
  /**
   * Keras's steps_per_epoch: steps per epoch (absent: one pass over the training rows). Epochs walk the seeded
   * passes over the rows continuing where the last one stopped (stream/schedule.ts).
   */
  stepsPerEpoch?: number;
  validationSplit: number;
  /** Seeds initialisers, shuffles and dropout masks. */
  seed: number;
  /** Online augmentation of the training rows (off when absent). */
  augmentation?: AugmentationConfig;
  /** Keras callbacks: learning-rate schedule, ReduceLROnPlateau, EarlyStopping, best-epoch checkpoint. */
  callbacks?: CallbacksConfig;
  /** A registered preprocessing id; absent: chosen from the data (data-contract.ts). */
  preprocessing?: string;
}

/** Keras's defaults for Adam (tfjs uses the same epsilon, 1e-7). */
export const ADAM_DEFAULTS: AdamConfig = { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
export const DEFAULT_SEED = 1337;

const snakeToCamel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const initializer: Check = (v) =>
  typeof v === 'string' && (INITIALIZERS as readonly string[]).includes(snakeToCamel(v))
    ? undefined
    : `one of ${INITIALIZERS.join(', ')} (or their snake_case spelling)`;
const activation = oneOf(ACTIVATIONS);
const padding = oneOf(['valid', 'same']);

interface LayerSchema {
  required: readonly string[];
  fields: Readonly<Record<string, Check>>;
}

const pooling: LayerSchema = {
  required: [],
  fields: { name: nonEmptyString, inputShape: shape, poolSize: triple, strides: triple, padding },
};

const LAYER_SCHEMAS: Readonly<Record<LayerClassName, LayerSchema>> = {
  InputLayer: { required: ['inputShape'], fields: { name: nonEmptyString, inputShape: shape } },
  Conv3D: {
    // A graph's output convolution may leave 'filters' to the data (its number of classes); parseLayers checks.
    required: ['kernelSize'],
    fields: {
      name: nonEmptyString,
      inputShape: shape,
      filters: positiveInt,
      kernelSize: triple,
      strides: triple,
      padding,
      dilationRate: triple,
      activation,
      useBias: boolean,
      kernelInitializer: initializer,
      biasInitializer: initializer,
    },
  },
  Conv3DTranspose: {
    required: ['filters', 'kernelSize'],
    fields: {
      name: nonEmptyString,
      filters: positiveInt,
      kernelSize: triple,
      strides: triple,
      padding,
      activation,
      useBias: boolean,
      kernelInitializer: initializer,
      biasInitializer: initializer,
    },
  },
  MaxPooling3D: pooling,
  AveragePooling3D: pooling,
  GlobalAveragePooling3D: { required: [], fields: { name: nonEmptyString, inputShape: shape } },
  BatchNormalization: {
    required: [],
    fields: {
      name: nonEmptyString,
      inputShape: shape,
      momentum: numberIn(0, 1),
      epsilon: positiveNumber,
      center: boolean,
      scale: boolean,
    },
  },
  Flatten: { required: [], fields: { name: nonEmptyString, inputShape: shape } },
  Dense: {
    // The last Dense may leave 'units' to the data (its number of classes); parseLayers checks the others.
    required: [],
    fields: {
      name: nonEmptyString,
      inputShape: shape,
      units: positiveInt,
      activation,
      useBias: boolean,
      kernelInitializer: initializer,
      biasInitializer: initializer,
    },
  },
  Dropout: { required: ['rate'], fields: { name: nonEmptyString, rate: numberIn(0, 1, { hiOpen: true }) } },
  Activation: { required: ['activation'], fields: { name: nonEmptyString, activation } },
  ReLU: { required: [], fields: { name: nonEmptyString } },
  // tfjs's Softmax layer defaults to axis 1 (Keras: -1); a per-voxel softmax needs axis -1.
  Softmax: {
    required: [],
    fields: { name: nonEmptyString, axis: (v) => (Number.isInteger(v) ? undefined : 'an integer') },
  },
  Concatenate: {
    required: [],
    fields: { name: nonEmptyString, axis: (v) => (Number.isInteger(v) ? undefined : 'an integer') },
  },
  Add: { required: [], fields: { name: nonEmptyString } },
};

const TOP_LEVEL: Readonly<
  Record<string, Check | 'layers' | 'graph' | 'optimizer' | 'augmentation' | 'callbacks' | 'segmentation'>
> = {
  name: nonEmptyString,
  layers: 'layers',
  graph: 'graph',
  loss: oneOf(Object.keys(LOSS_SPELLINGS)),
  optimizer: 'optimizer',
  batchSize: positiveInt,
  epochs: positiveInt,
  stepsPerEpoch: positiveInt,
  validationSplit: numberIn(0, 1, { hiOpen: true }),
  seed: seedInt,
  augmentation: 'augmentation',
  callbacks: 'callbacks',
  segmentation: 'segmentation',
  preprocessing: (v) =>
    typeof v === 'string' && findPreprocessing(v) !== undefined
      ? undefined
      : `a registered preprocessing (${preprocessingIds().join(', ')})`,
};
const TOP_LEVEL_REQUIRED = ['name', 'loss', 'optimizer', 'batchSize', 'epochs', 'validationSplit'];

const ADAM_FIELDS: Readonly<Record<keyof AdamConfig, Check>> = {
  learningRate: positiveNumber,
  beta1: numberIn(0, 1, { hiOpen: true }),
  beta2: numberIn(0, 1, { hiOpen: true }),
  epsilon: positiveNumber,
};

/** Checks one value of a setting that may also come from a flag; throws a ConfigError naming `where`. */
export function checkSetting(
  where: string,
  key: keyof typeof TOP_LEVEL | 'learningRate',
  value: unknown,
): void {
  const check = key === 'learningRate' ? ADAM_FIELDS.learningRate : TOP_LEVEL[key];
  if (typeof check !== 'function') throw new ConfigError(`${where}: '${key}' cannot be set here`);
  const expected = check(value);
  if (expected) throw new ConfigError(`${where}: '${key}' must be ${expected}, got ${show(value)}`);
}

/** Checks one layer's class and config; `keys` are the keys a layer entry may have besides them (a graph's). */
export function parseLayer(at: string, raw: unknown, keys: readonly string[] = []): LayerSpec {
  if (!isRecord(raw)) throw new ConfigError(`${at}: expected an object { "className", "config" }`);
  const allowed = ['className', 'config', ...keys];
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`${at}: unknown key '${key}' (allowed: ${allowed.join(', ')})`);
    }
  }
  const className = raw.className;
  if (typeof className !== 'string' || !(LAYER_CLASSES as readonly string[]).includes(className)) {
    throw new ConfigError(
      `${at}: unknown layer class ${show(className)} (supported: ${LAYER_CLASSES.join(', ')})`,
    );
  }
  const cls = className as LayerClassName;
  const config = raw.config ?? {};
  if (!isRecord(config)) throw new ConfigError(`${at} (${cls}): 'config' must be an object`);
  const schema = LAYER_SCHEMAS[cls];
  checkFields(`${at} (${cls})`, config, schema.fields, schema.required);
  const normalised: Record<string, unknown> = { ...config };
  for (const key of ['kernelInitializer', 'biasInitializer']) {
    if (typeof normalised[key] === 'string') normalised[key] = snakeToCamel(normalised[key] as string);
  }
  return { className: cls, config: normalised };
}

function parseLayers(source: string, raw: unknown): LayerSpec[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new ConfigError(`${source}: 'layers' must be a non-empty array of layer specs`);
  }
  const layers = raw.map((layer, i) => parseLayer(`${source}: layers[${i}]`, layer));
  layers.forEach((layer, i) => {
    const at = `${source}: layers[${i}] (${layer.className})`;
    if (i > 0 && (layer.config.inputShape !== undefined || layer.className === 'InputLayer')) {
      throw new ConfigError(`${at}: only the first layer may declare the input shape`);
    }
    if (layer.className === 'Concatenate' || layer.className === 'Add') {
      throw new ConfigError(`${at}: merges take several inputs: describe the model as a 'graph'`);
    }
  });
  checkClassCounts(source, layers, (i) => `layers[${i}]`);
  return layers;
}

/**
 * Only the model's last Dense (a classifier) or last Conv3D (a segmenter's per-voxel output) may leave its units or
 * filters to the data's number of classes; every other one must give them.
 */
export function checkClassCounts(
  source: string,
  layers: readonly LayerSpec[],
  label: (i: number) => string,
): void {
  const classes = layers.map((l) => l.className);
  const last = { Dense: classes.lastIndexOf('Dense'), Conv3D: classes.lastIndexOf('Conv3D') };
  layers.forEach((layer, i) => {
    const key = layer.className === 'Dense' ? 'units' : layer.className === 'Conv3D' ? 'filters' : undefined;
    if (key && layer.config[key] === undefined && i !== last[layer.className as 'Dense' | 'Conv3D']) {
      throw new ConfigError(
        `${source}: ${label(i)} (${layer.className}): missing required key '${key}' (only the last ${layer.className} takes it from the data)`,
      );
    }
  });
}

function parseOptimizer(source: string, raw: unknown): TrainConfig['optimizer'] {
  const at = `${source}: optimizer`;
  if (!isRecord(raw)) throw new ConfigError(`${at}: expected { "className": "Adam", "config": { ... } }`);
  checkFields(
    at,
    raw,
    { className: oneOf(['Adam']), config: (v) => (isRecord(v) ? undefined : 'an object') },
    ['className'],
  );
  const config = (raw.config ?? {}) as Record<string, unknown>;
  checkFields(`${at} (Adam)`, config, ADAM_FIELDS, []);
  return { className: 'Adam', config: { ...ADAM_DEFAULTS, ...(config as Partial<AdamConfig>) } };
}

/** Validates a parsed JSON value as a training config; `source` names it in errors. */
export function parseTrainConfig(raw: unknown, source: string): TrainConfig {
  if (!isRecord(raw)) throw new ConfigError(`${source}: expected a JSON object`);
  for (const key of Object.keys(raw)) {
    const check = TOP_LEVEL[key];
    if (!check) {
      throw new ConfigError(
        `${source}: unknown key '${key}' (allowed: ${Object.keys(TOP_LEVEL).join(', ')})`,
      );
    }
    if (typeof check === 'function') checkSetting(source, key as keyof typeof TOP_LEVEL, raw[key]);
  }
  for (const key of TOP_LEVEL_REQUIRED) {
    if (!(key in raw)) throw new ConfigError(`${source}: missing required key '${key}'`);
  }
  if ((raw.layers === undefined) === (raw.graph === undefined)) {
    throw new ConfigError(
      `${source}: give exactly one of 'layers' (a stack) or 'graph' (named layers with inputs)`,
    );
  }
  const graph = raw.graph === undefined ? undefined : parseGraph(source, raw.graph);
  const loss = LOSS_SPELLINGS[raw.loss as string] as LossName;
  const config: TrainConfig = {
    name: raw.name as string,
    layers: graph ? graph.layers : parseLayers(source, raw.layers),
    ...(graph && { graph: graph.graph }),
    loss,
    optimizer: parseOptimizer(source, raw.optimizer),
    batchSize: raw.batchSize as number,
    epochs: raw.epochs as number,
    validationSplit: raw.validationSplit as number,
    seed: (raw.seed as number | undefined) ?? DEFAULT_SEED,
    ...(raw.preprocessing === undefined ? {} : { preprocessing: raw.preprocessing as string }),
    ...(raw.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: raw.stepsPerEpoch as number }),
  };
  // Optional sections are added only when present: a config without them means exactly what it did before.
  if (raw.augmentation !== undefined) {
    config.augmentation = parseAugmentation(source, raw.augmentation, config.seed);
  }
  if (raw.callbacks !== undefined) {
    config.callbacks = parseCallbacks(source, raw.callbacks, config.validationSplit);
  }
  const segmentationLoss = loss !== 'categoricalCrossentropy';
  if (raw.segmentation !== undefined && !segmentationLoss) {
    throw new ConfigError(`${source}: 'segmentation' needs a per-voxel loss (${LOSSES.slice(1).join(', ')})`);
  }
  if (segmentationLoss) config.segmentation = parseSegmentation(source, raw.segmentation ?? {});
  return config;
}

/** Reads and validates a training config file. Throws a one-line ConfigError naming the file and field. */
export function loadTrainConfig(path: string): TrainConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${path}: cannot read config (${code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: invalid JSON (${(err as Error).message})`);
  }
  return parseTrainConfig(raw, path);
}
