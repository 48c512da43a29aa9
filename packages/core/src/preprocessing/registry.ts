// The preprocessing registry: ids (as written in a model's `conv3d.preprocessing`) → pure functions from raw
// voxels to the model's float32 input. Each declares how many channels it outputs for a given input channel count,
// so a contract can be checked against its graph before anything runs.
import { minmax } from './minmax.js';
import { none } from './none.js';
import { orangesRgb } from './oranges-rgb.js';

/** Raw voxels: row-major over D, H, W, C (channels fastest), as stored in a dataset row. */
export type RawVoxels = Float32Array | Float64Array | readonly number[];

export interface Preprocessing {
  readonly id: string;
  /** One line: what it computes. */
  readonly description: string;
  /** Channels per voxel it writes for `inputChannels` per voxel read; throws a RangeError when it cannot. */
  outputChannels(inputChannels: number): number;
  /**
   * Maps one sample (`voxels` voxels of `inputChannels` values at `srcOffset`) to float32 at `dstOffset`, voxel
   * order unchanged: `voxels · outputChannels(inputChannels)` values.
   */
  apply(
    src: RawVoxels,
    srcOffset: number,
    voxels: number,
    inputChannels: number,
    dst: Float32Array,
    dstOffset: number,
  ): void;
}

const registry = new Map<string, Preprocessing>();

/** Adds a preprocessing under its id. Throws when the id is taken: two meanings for one id would break models. */
export function registerPreprocessing(preprocessing: Preprocessing): void {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(preprocessing.id)) {
    throw new RangeError(
      `preprocessing id '${preprocessing.id}' must be lowercase letters, digits, '.' and '-'`,
    );
  }
  if (registry.has(preprocessing.id)) {
    throw new Error(`preprocessing '${preprocessing.id}' is already registered`);
  }
  registry.set(preprocessing.id, preprocessing);
}

/** The preprocessing registered under `id`, or undefined. */
export function findPreprocessing(id: string): Preprocessing | undefined {
  return registry.get(id);
}

/** Every registered id, in registration order. */
export function preprocessingIds(): string[] {
  return [...registry.keys()];
}

// The built-ins are registered here, not in a side-effect module a bundler might drop.
for (const builtIn of [orangesRgb, minmax, none]) registerPreprocessing(builtIn);
