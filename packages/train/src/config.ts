// The training config: a Keras-like list of layers (className + config, with tfjs's camelCase argument names)
// plus the compile and fit settings. Everything is validated up front so a bad file fails with one line that
// names the file, the layer index and the field, before any data is read or any weight is built.
import { readFileSync } from 'node:fs';
import { DATASET_CONTRACT } from './dataset-contract.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const LAYER_CLASSES = [
  'InputLayer',
  'Conv3D',
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
}

export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface TrainConfig {
  name: string;
  layers: LayerSpec[];
  loss: 'categoricalCrossentropy';
  optimizer: { className: 'Adam'; config: AdamConfig };
  batchSize: number;
  epochs: number;
  validationSplit: number;
  /** Seeds initialisers, shuffles and dropout masks. */
  seed: number;
}

/** Keras's defaults for Adam (tfjs uses the same epsilon, 1e-7). */
export const ADAM_DEFAULTS: AdamConfig = { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
export const DEFAULT_SEED = 1337;

/** Returns what was expected when `value` is bad, else undefined. */
type Check = (value: unknown) => string | undefined;

const isPosInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const positiveInt: Check = (v) => (isPosInt(v) ? undefined : 'a positive integer');
const seedInt: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff
    ? undefined
    : 'an integer in [0, 4294967295]';
const triple: Check = (v) =>
  isPosInt(v) || (Array.isArray(v) && v.length === 3 && v.every(isPosInt))
    ? undefined
    : 'a positive integer or an array of 3 positive integers';
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
const nonEmptyString: Check = (v) =>
  typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string';
const shape: Check = (v) =>
  Array.isArray(v) && v.length > 0 && v.every(isPosInt) ? undefined : 'an array of positive integers';
const oneOf =
  (values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v) ? undefined : `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
const numberIn =
  (lo: number, hi: number, { loOpen = false, hiOpen = false } = {}): Check =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi)
      ? undefined
      : `a number in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`;
const positiveNumber: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'a positive number';

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
    required: ['filters', 'kernelSize'],
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
    required: ['units'],
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
  Softmax: { required: [], fields: { name: nonEmptyString } },
};

const TOP_LEVEL: Readonly<Record<string, Check | 'layers' | 'optimizer'>> = {
  name: nonEmptyString,
  layers: 'layers',
  loss: oneOf(['categoricalCrossentropy', 'categorical_crossentropy']),
  optimizer: 'optimizer',
  batchSize: positiveInt,
  epochs: positiveInt,
  validationSplit: numberIn(0, 1, { hiOpen: true }),
  seed: seedInt,
};
const TOP_LEVEL_REQUIRED = ['name', 'layers', 'loss', 'optimizer', 'batchSize', 'epochs', 'validationSplit'];

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

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkFields(
  where: string,
  obj: Record<string, unknown>,
  fields: Readonly<Record<string, Check>>,
  required: readonly string[],
): void {
  for (const key of Object.keys(obj)) {
    const check = fields[key];
    if (!check) {
      throw new ConfigError(
        `${where}: unknown key '${key}' (allowed: ${Object.keys(fields).join(', ') || 'none'})`,
      );
    }
    const expected = check(obj[key]);
    if (expected) throw new ConfigError(`${where}: '${key}' must be ${expected}, got ${show(obj[key])}`);
  }
  for (const key of required) {
    if (!(key in obj)) throw new ConfigError(`${where}: missing required key '${key}'`);
  }
}

function parseLayer(source: string, index: number, raw: unknown): LayerSpec {
  const at = `${source}: layers[${index}]`;
  if (!isRecord(raw)) throw new ConfigError(`${at}: expected an object { "className", "config" }`);
  for (const key of Object.keys(raw)) {
    if (key !== 'className' && key !== 'config') {
      throw new ConfigError(`${at}: unknown key '${key}' (allowed: className, config)`);
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
  const layers = raw.map((layer, i) => parseLayer(source, i, layer));
  layers.forEach((layer, i) => {
    const inputShape = layer.config.inputShape;
    const at = `${source}: layers[${i}] (${layer.className})`;
    if (i === 0) {
      if (inputShape === undefined) {
        throw new ConfigError(
          `${at}: the first layer needs 'inputShape' ${JSON.stringify(DATASET_CONTRACT.inputShape)}`,
        );
      }
      if (JSON.stringify(inputShape) !== JSON.stringify(DATASET_CONTRACT.inputShape)) {
        throw new ConfigError(
          `${at}: 'inputShape' must be ${JSON.stringify(DATASET_CONTRACT.inputShape)} (one preprocessed 3D MNIST sample), got ${show(inputShape)}`,
        );
      }
    } else if (inputShape !== undefined || layer.className === 'InputLayer') {
      throw new ConfigError(`${at}: only the first layer may declare the input shape`);
    }
  });
  return layers;
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
  return {
    name: raw.name as string,
    layers: parseLayers(source, raw.layers),
    loss: 'categoricalCrossentropy',
    optimizer: parseOptimizer(source, raw.optimizer),
    batchSize: raw.batchSize as number,
    epochs: raw.epochs as number,
    validationSplit: raw.validationSplit as number,
    seed: (raw.seed as number | undefined) ?? DEFAULT_SEED,
  };
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
