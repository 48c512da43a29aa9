// The contract for a model this project did not train (`--task segment --labels a,b,c --preprocessing ID`), and
// the check that a contract fits its model's input and output, for classifiers ([N, K]) and segmenters
// ([N, D, H, W, K] on the input's grid, channels last).
import {
  ContractError,
  defineContract,
  findPreprocessing,
  type ModelContract,
  type Orientation,
  TASKS,
  type Task,
  type VoxelOutput,
} from '@conv3d/core';
import type * as tf from '@tensorflow/tfjs';
import { ExportError } from './errors.js';

/** What it takes to give a model without a contract one at export. */
export interface ContractOptions {
  task: Task;
  /** Class names, index = output position (background first for a segmenter, as its label 0). */
  labels: readonly string[];
  /** A registered preprocessing id; default 'none'. */
  preprocessing?: string;
  /** The training patch [D, H, W]; default the model's input size (required when that is free). */
  grid?: readonly [number, number, number];
  /** A segmenter's per-voxel output; default 'probabilities' when the model ends in a softmax, else 'logits'. */
  voxelOutput?: VoxelOutput;
  /**
   * The orientation the model's volumes are in (nibabel axis codes such as 'RAS' or FreeSurfer's 'LIA', or 'stored'):
   * recorded as the contract's preparation, so a NIfTI scan is reoriented to it and the labels back to the scan.
   */
  orientation?: Orientation;
}

/** Builds the contract of a model that carries none; one-line ExportErrors name the option at fault. */
export function contractFromOptions(model: tf.LayersModel, options: ContractOptions): ModelContract {
  const { task, labels } = options;
  if (!TASKS.includes(task)) throw new ExportError(`task must be one of ${TASKS.join(', ')}, got '${task}'`);
  const shape = model.inputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || shape.length !== 5) {
    throw new ExportError(
      `model '${model.name}' must take one [N, D, H, W, C] input to be given a contract, got ${JSON.stringify(model.inputs.map((t) => t.shape))}`,
    );
  }
  const [, d, h, w, c] = shape as (number | null)[];
  const grid = options.grid ?? [d, h, w];
  if (!grid.every((n) => Number.isInteger(n) && (n as number) > 0)) {
    throw new ExportError(
      `model '${model.name}' input is ${JSON.stringify(shape)}: its spatial size is free, so give the training patch (grid D,H,W)`,
    );
  }
  const preprocessing = options.preprocessing ?? 'none';
  const rawChannels = rawChannelsFor(preprocessing, c as number);
  try {
    return defineContract(
      {
        task,
        labels,
        grid: grid as [number, number, number],
        rawChannels,
        preprocessing,
        inputKind: 'preprocessed',
        ...(task === 'segment' && {
          segmentation: { output: options.voxelOutput ?? defaultVoxelOutput(model), freeSize: false },
        }),
        ...(options.orientation !== undefined && {
          preparation: { orientation: options.orientation, intensity: { kind: 'none' as const } },
        }),
      },
      'options',
    );
  } catch (error) {
    if (error instanceof ContractError) throw new ExportError(error.message);
    throw error;
  }
}

/** The raw channels whose preprocessing gives the model's `channels` (C → C, or 1 → 3 for oranges-rgb). */
function rawChannelsFor(preprocessing: string, channels: number): number {
  const pre = findPreprocessing(preprocessing);
  if (pre === undefined) return channels;
  for (const raw of new Set([channels, 1])) {
    try {
      if (pre.outputChannels(raw) === channels) return raw;
    } catch {
      // This raw channel count does not fit; try the next.
    }
  }
  throw new ExportError(
    `preprocessing '${preprocessing}' cannot produce the model's ${channels} input channels`,
  );
}

/** 'probabilities' when the last layer is a softmax (a Softmax layer or a softmax activation). */
function defaultVoxelOutput(model: tf.LayersModel): VoxelOutput {
  const last = model.layers.at(-1);
  const config = (last?.getConfig() ?? {}) as { activation?: unknown };
  return last?.getClassName() === 'Softmax' || config.activation === 'softmax' ? 'probabilities' : 'logits';
}

/**
 * Checks `contract` against the model's input and output shapes: a free (null) model dim takes the contract's size;
 * a classifier outputs [N, K]; a segmenter [N, D, H, W, K] on its input's grid.
 */
export function checkContractFits(model: tf.LayersModel, contract: ModelContract): void {
  const inputShape = model.inputs[0]?.shape.slice(1) ?? [];
  const outputShape = model.outputs[0]?.shape.slice(1) ?? [];
  const fits = (shape: readonly (number | null)[], expected: readonly number[]): boolean =>
    shape.length === expected.length && shape.every((d, i) => d === null || d === expected[i]);
  if (!fits(inputShape, contract.inputShape)) {
    throw new ExportError(
      `contract input shape ${JSON.stringify(contract.inputShape)} does not match the model's ${JSON.stringify(inputShape)}`,
    );
  }
  const k = contract.labels.length;
  if (contract.task === 'segment') {
    if (!fits(outputShape, [...contract.grid, k])) {
      throw new ExportError(
        `a segmenter's output must be [N, D, H, W, K] on its input's grid with K = ${k} labels, [N, ${[...contract.grid, k].join(', ')}]; model '${model.name}' outputs ${JSON.stringify([null, ...outputShape])}`,
      );
    }
    return;
  }
  if (!fits(outputShape, [k])) {
    throw new ExportError(`contract has ${k} labels but the model outputs ${JSON.stringify(outputShape)}`);
  }
}
