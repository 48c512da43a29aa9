// The model contract shared by training, the exporter and both inference packages.
// Pure: no Node APIs, so browsers bundle it too.

/** Voxels per axis of a 3D MNIST sample. */
export const GRID = 16;
/** Values in one raw 3D MNIST row (`X_train[i]`): a 16³ grid flattened as x + 16·y + 256·z. */
export const VOXELS = GRID * GRID * GRID;
/** RGB channels produced by the seed's colormap preprocessing. */
export const CHANNELS = 3;
/** One preprocessed sample, channels-last (depth = z, height = y, width = x). */
export const SAMPLE_SHAPE = [GRID, GRID, GRID, CHANNELS] as const;
export const SAMPLE_SIZE = VOXELS * CHANNELS;
export const INPUT_LAYOUT = 'NDHWC';
export const CLASS_LABELS: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const NUM_CLASSES = CLASS_LABELS.length;

/** Identifier of the seed's preprocessing: matplotlib ScalarMappable("Oranges").to_rgba(v)[:, :-1]. */
export const PREPROCESSING_ORANGES_RGB = 'matplotlib-oranges-rgb-v1';
export const KNOWN_PREPROCESSING: readonly string[] = [PREPROCESSING_ORANGES_RGB];
/** Contract v2 names (`conv3d.contract_version` "2") of the preprocessing ids this reader knows. */
const V2_PREPROCESSING_NAMES: ReadonlyMap<string, string> = new Map([
  ['oranges-rgb', PREPROCESSING_ORANGES_RGB],
]);

/** Keys of the ONNX `metadata_props` that carry the contract. */
export const METADATA_KEYS = {
  labels: 'conv3d.labels',
  preprocessing: 'conv3d.preprocessing',
  inputLayout: 'conv3d.input_layout',
  inputShape: 'conv3d.input_shape',
  testAccuracy: 'conv3d.test_accuracy',
} as const;

export interface ModelContract {
  /** Class names, index = output position. */
  labels: readonly string[];
  /** Preprocessing id applied to raw 4096-value vectors. */
  preprocessing: string;
  inputLayout: typeof INPUT_LAYOUT;
  /** Per-sample input shape, batch excluded. */
  inputShape: readonly number[];
  /** Test accuracy of the training run, when known. */
  testAccuracy?: number;
}

export const SEED_CONTRACT: ModelContract = {
  labels: CLASS_LABELS,
  preprocessing: PREPROCESSING_ORANGES_RGB,
  inputLayout: INPUT_LAYOUT,
  inputShape: SAMPLE_SHAPE,
};

export class ContractError extends Error {
  override name = 'ContractError';
}

/** Serialises a contract into string key/value pairs (ONNX metadata_props). */
export function contractToMetadata(contract: ModelContract): Record<string, string> {
  const meta: Record<string, string> = {
    [METADATA_KEYS.labels]: JSON.stringify(contract.labels),
    [METADATA_KEYS.preprocessing]: contract.preprocessing,
    [METADATA_KEYS.inputLayout]: contract.inputLayout,
    [METADATA_KEYS.inputShape]: JSON.stringify(contract.inputShape),
  };
  if (contract.testAccuracy !== undefined) meta[METADATA_KEYS.testAccuracy] = String(contract.testAccuracy);
  return meta;
}

/**
 * Reads and checks a contract from model metadata. `source` names the model in errors.
 * Throws a one-line ContractError saying what was expected.
 */
export function contractFromMetadata(meta: Readonly<Record<string, string>>, source: string): ModelContract {
  const get = (key: string): string => {
    const value = meta[key];
    if (value === undefined) {
      throw new ContractError(
        `${source}: metadata '${key}' is missing; is this a model exported by @conv3d/export-onnx?`,
      );
    }
    return value;
  };
  const labels = parseJson(get(METADATA_KEYS.labels), METADATA_KEYS.labels, source);
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string')) {
    throw new ContractError(
      `${source}: metadata '${METADATA_KEYS.labels}' must be a JSON array of ≥ 2 strings`,
    );
  }
  const written = get(METADATA_KEYS.preprocessing);
  const preprocessing = V2_PREPROCESSING_NAMES.get(written) ?? written;
  if (!KNOWN_PREPROCESSING.includes(preprocessing)) {
    throw new ContractError(
      `${source}: unknown preprocessing '${preprocessing}', expected one of ${KNOWN_PREPROCESSING.join(', ')}`,
    );
  }
  const inputLayout = get(METADATA_KEYS.inputLayout);
  if (inputLayout !== INPUT_LAYOUT) {
    throw new ContractError(
      `${source}: input layout '${inputLayout}' is not supported, expected ${INPUT_LAYOUT}`,
    );
  }
  const inputShape = parseJson(get(METADATA_KEYS.inputShape), METADATA_KEYS.inputShape, source);
  if (
    !Array.isArray(inputShape) ||
    inputShape.length !== SAMPLE_SHAPE.length ||
    !inputShape.every((d, i) => d === SAMPLE_SHAPE[i])
  ) {
    throw new ContractError(
      `${source}: input shape ${JSON.stringify(inputShape)} is not supported, expected ${JSON.stringify(SAMPLE_SHAPE)}`,
    );
  }
  const contract: ModelContract = {
    labels,
    preprocessing,
    inputLayout: INPUT_LAYOUT,
    inputShape: SAMPLE_SHAPE,
  };
  const acc = meta[METADATA_KEYS.testAccuracy];
  if (acc !== undefined) {
    const value = Number(acc);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new ContractError(
        `${source}: metadata '${METADATA_KEYS.testAccuracy}' must be a number in [0, 1]`,
      );
    }
    contract.testAccuracy = value;
  }
  return contract;
}

function parseJson(text: string, key: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ContractError(`${source}: metadata '${key}' is not valid JSON`);
  }
}
