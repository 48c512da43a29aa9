// The model contract: what a raw sample is, what the graph takes and what its outputs mean. Written into a model's
// ONNX metadata_props by the exporter and read back by every runtime; the one source of truth for shapes and labels.
import { findPreprocessing, preprocessingIds } from './preprocessing/registry.js';
import {
  preparationProblem,
  type SegmentationSpec,
  TASKS,
  type Task,
  VOXEL_OUTPUTS,
  type VolumePreparation,
} from './task.js';

/**
 * The newest contract version this package reads and writes. A classifier with no volume preparation is still
 * written as version 2 (what every earlier reader takes); a segmenter or a prepared-scan model is version 3.
 */
export const CONTRACT_VERSION = 3;
/** The version of plain classifier contracts. */
export const CLASSIFIER_CONTRACT_VERSION = 2;
/** The only voxel order: a raw row is row-major over D, H, W, C (channels fastest). */
export const VOXEL_ORDER = 'dhwc';
/** Layout of a preprocessed graph input. */
export const INPUT_LAYOUT = 'NDHWC';

/** 'preprocessed': the graph takes [N, D, H, W, C'] NDHWC float32; 'raw': [N, D·H·W·C] raw rows. */
export type InputKind = 'preprocessed' | 'raw';
export const INPUT_KINDS: readonly InputKind[] = ['preprocessed', 'raw'];

/** Keys of the ONNX `metadata_props` that carry the contract (all values are strings). */
export const METADATA_KEYS = {
  contractVersion: 'conv3d.contract_version',
  labels: 'conv3d.labels',
  grid: 'conv3d.grid',
  rawChannels: 'conv3d.raw_channels',
  voxelOrder: 'conv3d.voxel_order',
  preprocessing: 'conv3d.preprocessing',
  inputKind: 'conv3d.input_kind',
  inputLayout: 'conv3d.input_layout',
  inputShape: 'conv3d.input_shape',
  testAccuracy: 'conv3d.test_accuracy',
  task: 'conv3d.task',
  voxelOutput: 'conv3d.voxel_output',
  freeSize: 'conv3d.free_size',
  preparation: 'conv3d.preparation',
  members: 'conv3d.members',
} as const;

/** One model of an ensemble whose averaged probabilities a file computes. */
export interface EnsembleMember {
  /** The member's name (its training run folder's). */
  name: string;
  /** The member's own test accuracy, in [0, 1], when known. */
  testAccuracy?: number;
}

/** What a contract is made from; everything else derives from these. */
export interface ContractSpec {
  /** Class names, index = output position. */
  labels: readonly string[];
  /** Voxels per axis: [D, H, W]. */
  grid: readonly [number, number, number];
  /** Values per voxel in a raw row. */
  rawChannels: number;
  /** A registered preprocessing id. */
  preprocessing: string;
  inputKind: InputKind;
  /** Test accuracy of the training run, in [0, 1], when known. */
  testAccuracy?: number;
  /** What the model does (default 'classify'). A segmenter's `grid` is its training patch. */
  task?: Task;
  /** A segmenter's output (required for 'segment', refused for 'classify'). */
  segmentation?: SegmentationSpec;
  /** How a scan (NIfTI) is oriented, resampled and scaled into the model's volumes; absent: rows as stored. */
  preparation?: VolumePreparation;
  /** For an ensemble file: the models whose mean probabilities it outputs (≥ 2). */
  members?: readonly EnsembleMember[];
}

export interface ModelContract extends ContractSpec {
  /** The contract version of the source: 1 for legacy files, 2 for classifiers since, 3 with task/preparation. */
  readonly version: number;
  readonly task: Task;
  readonly voxelOrder: typeof VOXEL_ORDER;
  /** D·H·W. */
  readonly voxels: number;
  /** Values in one raw row: D·H·W·rawChannels. */
  readonly rawLength: number;
  /** Channels per voxel after preprocessing (C'). */
  readonly channels: number;
  /** Per-sample graph input shape, batch excluded: [D, H, W, C'] (preprocessed) or [rawLength] (raw). */
  readonly inputShape: readonly number[];
  /** Values in one graph input sample. */
  readonly inputSize: number;
}

/** A contract that is missing, malformed or does not fit its model; the message is one line naming the field. */
export class ContractError extends Error {
  override name = 'ContractError';
}

/** Checks a spec and derives the rest. `source` names the contract's origin in errors. */
export function defineContract(spec: ContractSpec, source = 'contract', version?: number): ModelContract {
  const fail = (key: keyof typeof METADATA_KEYS, what: string): never => {
    throw new ContractError(`${source}: '${METADATA_KEYS[key]}' ${what}`);
  };
  const {
    labels,
    grid,
    rawChannels,
    preprocessing,
    inputKind,
    testAccuracy,
    segmentation,
    preparation,
    members,
  } = spec;
  const task = spec.task ?? 'classify';
  if (!TASKS.includes(task)) fail('task', `must be one of ${TASKS.join(', ')}, got ${show(task)}`);
  if (
    !Array.isArray(labels) ||
    labels.length < 2 ||
    !labels.every((l) => typeof l === 'string' && l !== '') ||
    new Set(labels).size !== labels.length
  ) {
    fail('labels', `must be ≥ 2 distinct non-empty strings, got ${show(labels)}`);
  }
  if (!Array.isArray(grid) || grid.length !== 3 || !grid.every(isPositiveInteger)) {
    fail('grid', `must be [D, H, W], 3 positive integers, got ${show(grid)}`);
  }
  if (!isPositiveInteger(rawChannels))
    fail('rawChannels', `must be a positive integer, got ${show(rawChannels)}`);
  const pre = findPreprocessing(preprocessing);
  if (pre === undefined) {
    throw new ContractError(
      `${source}: unknown preprocessing '${preprocessing}', expected one of ${preprocessingIds().join(', ')} ('${METADATA_KEYS.preprocessing}')`,
    );
  }
  let channels = 0;
  try {
    channels = pre.outputChannels(rawChannels);
  } catch (error) {
    fail(
      'preprocessing',
      `does not fit '${METADATA_KEYS.rawChannels}' ${rawChannels}: ${(error as Error).message}`,
    );
  }
  if (!INPUT_KINDS.includes(inputKind)) {
    fail('inputKind', `must be one of ${INPUT_KINDS.join(', ')}, got ${show(inputKind)}`);
  }
  if (
    testAccuracy !== undefined &&
    !(typeof testAccuracy === 'number' && testAccuracy >= 0 && testAccuracy <= 1)
  ) {
    fail('testAccuracy', `must be a number in [0, 1], got ${show(testAccuracy)}`);
  }
  if (task === 'segment') {
    if (!VOXEL_OUTPUTS.includes(segmentation?.output as never)) {
      fail(
        'voxelOutput',
        `must be one of ${VOXEL_OUTPUTS.join(', ')} for a segmenter, got ${show(segmentation?.output)}`,
      );
    }
    if (typeof segmentation?.freeSize !== 'boolean') {
      fail('freeSize', `must be true or false for a segmenter, got ${show(segmentation?.freeSize)}`);
    }
    if (inputKind !== 'preprocessed')
      fail('inputKind', `must be 'preprocessed' for a segmenter, got ${show(inputKind)}`);
  } else if (segmentation !== undefined) {
    fail('voxelOutput', `is only for segmenters ('${METADATA_KEYS.task}' 'segment'), got a classifier`);
  }
  if (preparation !== undefined) {
    const problem = preparationProblem(preparation);
    if (problem !== undefined) fail('preparation', problem);
  }
  if (members !== undefined && !validMembers(members)) {
    fail(
      'members',
      `must be ≥ 2 of {"name": non-empty string, "testAccuracy"?: [0, 1]}, got ${show(members)}`,
    );
  }
  const [d, h, w] = grid;
  const voxels = d * h * w;
  const rawLength = voxels * rawChannels;
  const inputShape = inputKind === 'raw' ? [rawLength] : [d, h, w, channels];
  const contract: ModelContract = {
    version:
      version ??
      (task === 'classify' && preparation === undefined ? CLASSIFIER_CONTRACT_VERSION : CONTRACT_VERSION),
    task,
    labels: Object.freeze([...labels]),
    grid: Object.freeze([d, h, w] as const),
    rawChannels,
    voxelOrder: VOXEL_ORDER,
    preprocessing,
    inputKind,
    voxels,
    rawLength,
    channels,
    inputShape: Object.freeze(inputShape),
    inputSize: inputShape.reduce((a, b) => a * b, 1),
  };
  if (testAccuracy !== undefined) contract.testAccuracy = testAccuracy;
  if (segmentation !== undefined) {
    contract.segmentation = Object.freeze({ output: segmentation.output, freeSize: segmentation.freeSize });
  }
  if (preparation !== undefined) contract.preparation = freezePreparation(preparation);
  if (members !== undefined) {
    contract.members = Object.freeze(
      members.map((m) =>
        Object.freeze({
          name: m.name,
          ...(m.testAccuracy !== undefined && { testAccuracy: m.testAccuracy }),
        }),
      ),
    );
  }
  // Frozen: SEED_CONTRACT and every loaded contract are shared by reference.
  return Object.freeze(contract);
}

/** The 3D MNIST seed: 16³ grids of one value per voxel (index x + 16y + 256z), the Oranges RGB step, digits. */
export const SEED_CONTRACT: ModelContract = defineContract(
  {
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    grid: [16, 16, 16],
    rawChannels: 1,
    preprocessing: 'oranges-rgb',
    inputKind: 'preprocessed',
  },
  'SEED_CONTRACT',
);

/** The same contract with another test accuracy. */
export function withTestAccuracy(contract: ModelContract, testAccuracy: number | undefined): ModelContract {
  return defineContract({ ...contract, testAccuracy }, 'contract', contract.version);
}

function freezePreparation(p: VolumePreparation): VolumePreparation {
  return Object.freeze({
    orientation: p.orientation,
    ...(p.spacing && { spacing: Object.freeze([...p.spacing]) as unknown as [number, number, number] }),
    intensity: Object.freeze({ ...p.intensity }),
  });
}

/** The version a contract is written as: 2 for a plain classifier (readable by every earlier reader), else 3. */
export function writtenVersion(contract: ModelContract): number {
  return contract.task === 'classify' && contract.preparation === undefined
    ? CLASSIFIER_CONTRACT_VERSION
    : CONTRACT_VERSION;
}

/** Serialises a contract into ONNX metadata_props key/value strings (version 2 or 3, see writtenVersion). */
export function contractToMetadata(contract: ModelContract): Record<string, string> {
  const version = writtenVersion(contract);
  const meta: Record<string, string> = {
    [METADATA_KEYS.contractVersion]: String(version),
    [METADATA_KEYS.labels]: JSON.stringify(contract.labels),
    [METADATA_KEYS.grid]: JSON.stringify(contract.grid),
    [METADATA_KEYS.rawChannels]: String(contract.rawChannels),
    [METADATA_KEYS.voxelOrder]: contract.voxelOrder,
    [METADATA_KEYS.preprocessing]: contract.preprocessing,
    [METADATA_KEYS.inputKind]: contract.inputKind,
  };
  if (contract.inputKind === 'preprocessed') meta[METADATA_KEYS.inputLayout] = INPUT_LAYOUT;
  meta[METADATA_KEYS.inputShape] = JSON.stringify(contract.inputShape);
  if (contract.testAccuracy !== undefined) meta[METADATA_KEYS.testAccuracy] = String(contract.testAccuracy);
  if (version === CONTRACT_VERSION) meta[METADATA_KEYS.task] = contract.task;
  if (contract.segmentation !== undefined) {
    meta[METADATA_KEYS.voxelOutput] = contract.segmentation.output;
    meta[METADATA_KEYS.freeSize] = String(contract.segmentation.freeSize);
  }
  if (contract.preparation !== undefined) {
    meta[METADATA_KEYS.preparation] = JSON.stringify(contract.preparation);
  }
  if (contract.members !== undefined) meta[METADATA_KEYS.members] = JSON.stringify(contract.members);
  return meta;
}

/**
 * The first contract key whose value differs between two models that should take the same rows and give the same
 * classes (an ensemble's members), test accuracy and members aside; undefined when they share the contract.
 */
export function contractDifference(
  a: ModelContract,
  b: ModelContract,
): { key: string; a: string | undefined; b: string | undefined } | undefined {
  const shared = (c: ModelContract): Record<string, string> => {
    const { [METADATA_KEYS.testAccuracy]: _a, [METADATA_KEYS.members]: _m, ...rest } = contractToMetadata(c);
    return rest;
  };
  const [ma, mb] = [shared(a), shared(b)];
  for (const key of new Set([...Object.keys(ma), ...Object.keys(mb)])) {
    if (ma[key] !== mb[key]) return { key, a: ma[key], b: mb[key] };
  }
  return undefined;
}

/** The legacy (v1) preprocessing id: the seed's Oranges RGB step under its first name. */
export const LEGACY_PREPROCESSING = 'matplotlib-oranges-rgb-v1';

/**
 * Reads and checks a contract from model metadata. Files without `conv3d.contract_version` are legacy (v1): they
 * could only describe the seed, so they load as the seed contract with their own labels and test accuracy.
 * Throws a one-line ContractError naming `source` and the field at fault.
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
  const version = meta[METADATA_KEYS.contractVersion];
  if (version === undefined) return legacyContract(meta, source, get);
  if (version !== String(CLASSIFIER_CONTRACT_VERSION) && version !== String(CONTRACT_VERSION)) {
    throw new ContractError(
      `${source}: metadata '${METADATA_KEYS.contractVersion}' is '${version}'; this package reads versions 1 to ${CONTRACT_VERSION}`,
    );
  }
  const labels = parseJson(get(METADATA_KEYS.labels), METADATA_KEYS.labels, source);
  const grid = parseJson(get(METADATA_KEYS.grid), METADATA_KEYS.grid, source);
  const rawChannels = parseInteger(get(METADATA_KEYS.rawChannels), METADATA_KEYS.rawChannels, source);
  const voxelOrder = get(METADATA_KEYS.voxelOrder);
  if (voxelOrder !== VOXEL_ORDER) {
    throw new ContractError(
      `${source}: metadata '${METADATA_KEYS.voxelOrder}' is '${voxelOrder}'; only '${VOXEL_ORDER}' is defined`,
    );
  }
  const preprocessing = get(METADATA_KEYS.preprocessing);
  const inputKind = get(METADATA_KEYS.inputKind) as InputKind;
  const contract = defineContract(
    {
      labels: labels as string[],
      grid: grid as [number, number, number],
      rawChannels,
      preprocessing,
      inputKind,
      ...optionalAccuracy(meta, source),
      ...(version === String(CONTRACT_VERSION) && version3Fields(meta, source, get)),
      ...optionalMembers(meta, source),
    },
    source,
    Number(version),
  );
  const layout = meta[METADATA_KEYS.inputLayout];
  if (contract.inputKind === 'preprocessed' ? layout !== INPUT_LAYOUT : layout !== undefined) {
    const expected = contract.inputKind === 'preprocessed' ? `'${INPUT_LAYOUT}'` : 'absent for raw inputs';
    throw new ContractError(
      `${source}: metadata '${METADATA_KEYS.inputLayout}' is ${layout === undefined ? 'missing' : `'${layout}'`}; expected ${expected}`,
    );
  }
  checkInputShape(meta, contract, source, get);
  return contract;
}

/** Task, segmentation output and preparation: the keys version 3 adds (a v2 file is a classifier as stored). */
function version3Fields(
  meta: Readonly<Record<string, string>>,
  source: string,
  get: (key: string) => string,
): Pick<ContractSpec, 'task' | 'segmentation' | 'preparation'> {
  const task = get(METADATA_KEYS.task) as Task;
  const fields: Pick<ContractSpec, 'task' | 'segmentation' | 'preparation'> = { task };
  if (task === 'segment') {
    const freeSize = get(METADATA_KEYS.freeSize);
    if (freeSize !== 'true' && freeSize !== 'false') {
      throw new ContractError(
        `${source}: metadata '${METADATA_KEYS.freeSize}' must be 'true' or 'false', got '${freeSize}'`,
      );
    }
    fields.segmentation = {
      output: get(METADATA_KEYS.voxelOutput) as SegmentationSpec['output'],
      freeSize: freeSize === 'true',
    };
  }
  const preparation = meta[METADATA_KEYS.preparation];
  if (preparation !== undefined) {
    fields.preparation = parseJson(preparation, METADATA_KEYS.preparation, source) as VolumePreparation;
  }
  return fields;
}

function legacyContract(
  meta: Readonly<Record<string, string>>,
  source: string,
  get: (key: string) => string,
): ModelContract {
  const labels = parseJson(get(METADATA_KEYS.labels), METADATA_KEYS.labels, source);
  const preprocessing = get(METADATA_KEYS.preprocessing);
  if (preprocessing !== LEGACY_PREPROCESSING) {
    throw new ContractError(
      `${source}: unknown preprocessing '${preprocessing}', expected ${LEGACY_PREPROCESSING} in a contract without '${METADATA_KEYS.contractVersion}' (v1)`,
    );
  }
  const layout = get(METADATA_KEYS.inputLayout);
  if (layout !== INPUT_LAYOUT) {
    throw new ContractError(
      `${source}: metadata '${METADATA_KEYS.inputLayout}' is '${layout}'; expected '${INPUT_LAYOUT}'`,
    );
  }
  const contract = defineContract(
    { ...SEED_CONTRACT, labels: labels as string[], ...optionalAccuracy(meta, source) },
    source,
    1,
  );
  checkInputShape(meta, contract, source, get);
  return contract;
}

function checkInputShape(
  meta: Readonly<Record<string, string>>,
  contract: ModelContract,
  source: string,
  get: (key: string) => string,
): void {
  const shape = parseJson(get(METADATA_KEYS.inputShape), METADATA_KEYS.inputShape, source);
  if (JSON.stringify(shape) !== JSON.stringify(contract.inputShape)) {
    const from =
      contract.inputKind === 'raw'
        ? `'${METADATA_KEYS.grid}' × '${METADATA_KEYS.rawChannels}'`
        : `'${METADATA_KEYS.grid}' and '${METADATA_KEYS.preprocessing}' channels`;
    throw new ContractError(
      `${source}: metadata '${METADATA_KEYS.inputShape}' is ${meta[METADATA_KEYS.inputShape]}, but ${from} give ${JSON.stringify(contract.inputShape)}`,
    );
  }
}

function optionalAccuracy(meta: Readonly<Record<string, string>>, source: string): { testAccuracy?: number } {
  const text = meta[METADATA_KEYS.testAccuracy];
  if (text === undefined) return {};
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!(value >= 0 && value <= 1)) {
    throw new ContractError(`${source}: metadata '${METADATA_KEYS.testAccuracy}' must be a number in [0, 1]`);
  }
  return { testAccuracy: value };
}

function optionalMembers(
  meta: Readonly<Record<string, string>>,
  source: string,
): { members?: EnsembleMember[] } {
  const text = meta[METADATA_KEYS.members];
  return text === undefined
    ? {}
    : { members: parseJson(text, METADATA_KEYS.members, source) as EnsembleMember[] };
}

function parseJson(text: string, key: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ContractError(`${source}: metadata '${key}' is not valid JSON`);
  }
}

function parseInteger(text: string, key: string, source: string): number {
  if (!/^[1-9]\d*$/.test(text)) {
    throw new ContractError(`${source}: metadata '${key}' must be a positive integer, got '${text}'`);
  }
  return Number(text);
}

function validMembers(members: unknown): boolean {
  return (
    Array.isArray(members) &&
    members.length >= 2 &&
    members.every(
      (m) =>
        typeof m === 'object' &&
        m !== null &&
        typeof m.name === 'string' &&
        m.name !== '' &&
        (m.testAccuracy === undefined ||
          (typeof m.testAccuracy === 'number' && m.testAccuracy >= 0 && m.testAccuracy <= 1)),
    )
  );
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
