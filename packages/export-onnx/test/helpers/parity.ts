import { Rng } from '@conv3d/core';
import type * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { convertModel, type ExportOptions } from '../../src/index.js';
import { maxAbsDiff, runOnnx, transposeChains } from './onnx.js';
import { predictCpu } from './tfjs.js';

/** Absolute tolerance between tfjs `cpu` and onnxruntime CPU outputs. */
export const TOLERANCE = 1e-5;

export interface ParityResult {
  bytes: Uint8Array;
  maxAbs: number;
  tfjs: Float32Array;
  onnx: Float32Array;
}

/**
 * Exports `model`, runs tfjs `cpu` and onnxruntime on the same seeded input (or `input`), and asserts the outputs
 * agree within TOLERANCE and that no Transpose pair is left to cancel.
 */
export async function expectParity(
  model: tf.LayersModel,
  opts: {
    batch?: number;
    seed?: number;
    input?: Float32Array;
    /** The input shape, batch included, for models with symbolic dims (default: the model's, batch `batch`). */
    shape?: readonly number[];
    export?: ExportOptions;
  } = {},
): Promise<ParityResult> {
  const batch = opts.batch ?? 3;
  const shape = opts.shape ?? [batch, ...((model.inputs[0] as tf.SymbolicTensor).shape.slice(1) as number[])];
  const input =
    opts.input ??
    new Rng(opts.seed ?? 7).floats(
      shape.reduce((a, b) => a * b, 1),
      -1,
      1,
    );
  const { bytes } = convertModel(model, opts.export);
  const tfjs = predictCpu(model, input, shape);
  const onnx = await runOnnx(bytes, input, shape);
  const maxAbs = maxAbsDiff(tfjs, onnx);
  expect(maxAbs, `${model.name}: max |tfjs − onnxruntime|`).toBeLessThanOrEqual(TOLERANCE);
  expect(transposeChains(bytes)).toEqual([]);
  return { bytes, maxAbs, tfjs, onnx };
}
