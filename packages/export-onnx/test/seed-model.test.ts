import { contractToMetadata, SEED_CONTRACT } from '@conv3d/core';
import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel, type ExportResult } from '../src/index.js';
import {
  argmaxRows,
  checkWithOnnxChecker,
  describeWithOnnx,
  maxAbsDiff,
  opCount,
  runOnnx,
  transposeChains,
} from './helpers/onnx.js';
import { TOLERANCE } from './helpers/parity.js';
import { realisticInputs, seedModel } from './helpers/seed-model.js';
import { predictCpu, randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

const BATCH = 24;
const TEST_ACCURACY = 0.6875;

describe.each([false, true])(
  'seed architecture (dropout %s), random weights, realistic inputs',
  (dropout) => {
    let model: tf.Sequential;
    let result: ExportResult;
    beforeAll(async () => {
      await useCpuBackend();
      model = seedModel(dropout);
      randomizeWeights(model, dropout ? 74 : 71);
      result = convertModel(model, { testAccuracy: TEST_ACCURACY });
    });

    it('softmax within 1e-5 of tfjs cpu with the same argmax on every sample', async () => {
      const input = realisticInputs(BATCH, 73);
      const shape = [BATCH, ...SEED_CONTRACT.inputShape];
      const expected = predictCpu(model, input, shape);
      const actual = await runOnnx(result.bytes, input, shape);
      expect(maxAbsDiff(expected, actual)).toBeLessThanOrEqual(TOLERANCE);
      expect(argmaxRows(actual, 10)).toEqual(argmaxRows(expected, 10));
      // Random weights must still give a spread of classes, or the argmax check proves little.
      expect(new Set(argmaxRows(expected, 10)).size).toBeGreaterThan(1);
    });

    it('is NCDHW inside with exactly two Transposes (after the input, before Flatten)', () => {
      expect(opCount(result.bytes, 'Transpose')).toBe(2);
      expect(transposeChains(result.bytes)).toEqual([]);
      expect(result.summary.opTypes).toEqual({
        Transpose: 2,
        Conv: 2,
        Relu: 3,
        MaxPool: 2,
        Flatten: 1,
        Gemm: 2,
        Softmax: 1,
      });
    });

    it('passes onnx.checker.check_model(full_check=True)', async () => {
      expect(await checkWithOnnxChecker([result.bytes])).toEqual(['ok']);
    });

    it('carries its contract, as python3-onnx reads it', async () => {
      const onnx = await describeWithOnnx(result.bytes);
      expect(onnx.ir_version).toBe(8);
      expect(onnx.opsets).toEqual([['', 17]]);
      expect(onnx.producer).toEqual(['@conv3d/export-onnx', '0.1.0']);
      expect(onnx.metadata).toEqual(contractToMetadata({ ...SEED_CONTRACT, testAccuracy: TEST_ACCURACY }));
      expect(onnx.inputs).toEqual([[model.inputs[0]?.sourceLayer.name, ['N', 16, 16, 16, 3]]]);
      expect(onnx.outputs).toEqual([[model.layers.at(-1)?.name, ['N', 10]]]);
    });

    it('is at most 4 bytes per parameter + 16 KB', () => {
      const parameters = model.countParams();
      expect(result.summary.parameters).toBe(parameters);
      expect(result.bytes.length).toBeLessThanOrEqual(4 * parameters + 16 * 1024);
    });
  },
);
