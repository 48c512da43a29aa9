// The model contract v2 as ONNX metadata_props. One small module on purpose: at merge it is pointed at
// @conv3d/core's writer, which owns the key names and their parsing.
import { INPUT_LAYOUT, type ModelContract, PREPROCESSING_ORANGES_RGB } from '@conv3d/data/contract';
import { ExportError } from './errors.js';

export const CONTRACT_VERSION = '2';

export const V2_KEYS = {
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
} as const;

/** The contract's preprocessing ids: `oranges-rgb` (the seed's, 1 → 3 channels), `minmax`, `none` (C → C). */
export const PREPROCESSING_IDS = ['oranges-rgb', 'minmax', 'none'] as const;
export type PreprocessingId = (typeof PREPROCESSING_IDS)[number];

export type InputKind = 'preprocessed' | 'raw';

/** What the exporter needs to know about the contract's raw rows and their preprocessing. */
export interface RawContract {
  preprocessing: PreprocessingId;
  /** [D, H, W] */
  grid: [number, number, number];
  /** Channels per voxel in a raw row. */
  rawChannels: number;
  /** Channels per voxel after preprocessing (the model's input channels). */
  channels: number;
  /** Values in one raw row: D·H·W·rawChannels, row-major over D, H, W, C ("dhwc"). */
  rawValues: number;
}

/** Reads a preprocessing id, v2 or the v1 seed id; throws a one-line ExportError naming `what`. */
export function preprocessingId(id: string, what: string): PreprocessingId {
  if (id === PREPROCESSING_ORANGES_RGB) return 'oranges-rgb';
  if ((PREPROCESSING_IDS as readonly string[]).includes(id)) return id as PreprocessingId;
  throw new ExportError(
    `${what}: unknown preprocessing '${id}', expected one of ${PREPROCESSING_IDS.join(', ')}`,
  );
}

/** The raw-row side of `contract`, checked against its per-sample input shape [D, H, W, C]. */
export function rawContract(contract: ModelContract): RawContract {
  const preprocessing = preprocessingId(contract.preprocessing, 'contract');
  const shape = contract.inputShape;
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ExportError(
      `contract input shape ${JSON.stringify(shape)}: expected [D, H, W, C] (a 3D voxel grid, channels last)`,
    );
  }
  const [d, h, w, channels] = shape as [number, number, number, number];
  if (preprocessing === 'oranges-rgb' && channels !== 3) {
    throw new ExportError(
      `contract input shape ${JSON.stringify(shape)}: preprocessing 'oranges-rgb' makes 3 channels, the model takes ${channels}`,
    );
  }
  const rawChannels = preprocessing === 'oranges-rgb' ? 1 : channels;
  return { preprocessing, grid: [d, h, w], rawChannels, channels, rawValues: d * h * w * rawChannels };
}

/** The v2 metadata_props of `contract` for a graph whose input is `inputKind`. */
export function contractMetadata(contract: ModelContract, inputKind: InputKind): Record<string, string> {
  const raw = rawContract(contract);
  const meta: Record<string, string> = {
    [V2_KEYS.contractVersion]: CONTRACT_VERSION,
    [V2_KEYS.labels]: JSON.stringify(contract.labels),
    [V2_KEYS.grid]: JSON.stringify(raw.grid),
    [V2_KEYS.rawChannels]: String(raw.rawChannels),
    [V2_KEYS.voxelOrder]: 'dhwc',
    [V2_KEYS.preprocessing]: raw.preprocessing,
    [V2_KEYS.inputKind]: inputKind,
  };
  if (inputKind === 'preprocessed') {
    meta[V2_KEYS.inputLayout] = INPUT_LAYOUT;
    meta[V2_KEYS.inputShape] = JSON.stringify(contract.inputShape);
  } else {
    meta[V2_KEYS.inputShape] = JSON.stringify([raw.rawValues]);
  }
  if (contract.testAccuracy !== undefined) meta[V2_KEYS.testAccuracy] = String(contract.testAccuracy);
  return meta;
}
