// --embed-preprocessing: raw rows in, the contract's preprocessing as standard ONNX ops, probabilities out.
import {
  defineContract,
  METADATA_KEYS as KEYS,
  MINMAX,
  type ModelContract,
  preprocessBatch,
  SEED_CONTRACT,
} from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel, decodeModel, type ExportOptions } from '../src/index.js';
import { argmaxRows, checkWithOnnxChecker, describeWithOnnx, maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { concatRows, edgeRows, minmaxFloat32, realisticRawRows } from './helpers/raw-rows.js';
import { seedModel } from './helpers/seed-model.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

/** Embedded file against JS preprocessing + the plain file, on onnxruntime-node CPU. */
const TOLERANCE = 1e-6;
const VOXELS = SEED_CONTRACT.rawLength;
const SAMPLE_SHAPE = SEED_CONTRACT.inputShape;
const COLOUR_TABLE_BYTES = 257 * 3 * 4;

beforeAll(useCpuBackend);

/** A model that only flattens its input, so the embedded file's output is the preprocessed voxels themselves. */
function flattenModel(
  shape: readonly [number, number, number, number],
  preprocessing: string,
  rawChannels: number,
): { model: tf.LayersModel; contract: ModelContract } {
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [...shape] })] });
  const size = shape.reduce((a, b) => a * b, 1);
  const labels = Array.from({ length: size }, (_, i) => `v${i}`);
  const grid = [shape[0], shape[1], shape[2]] as const;
  return {
    model,
    contract: defineContract({ labels, grid, rawChannels, preprocessing, inputKind: 'preprocessed' }),
  };
}

const rowsOf = (data: Float32Array, values: number) => data.length / values;

describe.each([
  ['oranges-rgb', [16, 16, 16, 3], 1],
  ['minmax', [6, 5, 4, 2], 2],
  ['none', [3, 4, 5, 2], 2],
] as const)(
  'preprocessing %s: the embedded graph computes exactly what the JS float32 path does',
  (id, shape, rawChannels) => {
    const grid = shape.slice(0, 3) as [number, number, number];
    const values = grid[0] * grid[1] * grid[2] * rawChannels;
    const rows = concatRows([
      ...edgeRows(values).map((e) => e.row),
      ...(values === VOXELS
        ? [realisticRawRows(8, 94)]
        : [new Float32Array(values).map((_, i) => (i % 7) / 3)]),
    ]);
    const expected = (x: Float32Array): Float32Array => {
      if (id === 'oranges-rgb') return preprocessBatch(SEED_CONTRACT, x, rowsOf(x, values));
      if (id === 'minmax') return minmaxFloat32(x, values);
      return x;
    };

    it('bit-identical preprocessed voxels (a Flatten-only model shows them), every edge row included', async () => {
      const { model, contract } = flattenModel(shape, id, rawChannels);
      const { bytes } = convertModel(model, { contract, embedPreprocessing: true });
      const out = await runOnnx(bytes, rows, [rowsOf(rows, values), values]);
      const want = expected(rows);
      expect(out.length).toBe(want.length);
      expect(maxAbsDiff(out, want)).toBe(0);
      if (id === MINMAX) {
        // @conv3d/core's minmax divides in float64 and rounds once; float32 steps differ by at most an ulp of 1.
        const { contract } = flattenModel(shape, id, rawChannels);
        expect(maxAbsDiff(out, preprocessBatch(contract, rows))).toBeLessThanOrEqual(2 ** -23);
      }
    });

    it('metadata: the v2 keys, input_kind raw, input_shape [V], graph input [N, V]', async () => {
      const { model, contract } = flattenModel(shape, id, rawChannels);
      const { bytes } = convertModel(model, { contract, embedPreprocessing: true });
      const onnx = await describeWithOnnx(bytes);
      expect(onnx.inputs).toEqual([['raw_voxels', ['N', values]]]);
      expect(onnx.opsets).toEqual([['', 17]]);
      expect(onnx.metadata).toEqual({
        [KEYS.contractVersion]: '2',
        [KEYS.labels]: JSON.stringify(contract.labels),
        [KEYS.grid]: JSON.stringify(grid),
        [KEYS.rawChannels]: String(rawChannels),
        [KEYS.voxelOrder]: 'dhwc',
        [KEYS.preprocessing]: id,
        [KEYS.inputKind]: 'raw',
        [KEYS.inputShape]: JSON.stringify([values]),
      });
    });
  },
);

describe('the seed architecture with embedded oranges-rgb preprocessing', () => {
  let model: tf.Sequential;
  let plain: Uint8Array;
  let embedded: Uint8Array;
  const edges = edgeRows(VOXELS);
  const rows = concatRows([realisticRawRows(24, 95), ...edges.map((e) => e.row)]);
  const n = rowsOf(rows, VOXELS);
  beforeAll(() => {
    model = seedModel();
    randomizeWeights(model, 71);
    plain = convertModel(model, { testAccuracy: 0.5 }).bytes;
    embedded = convertModel(model, { testAccuracy: 0.5, embedPreprocessing: true }).bytes;
  });

  it(`probabilities within ${TOLERANCE} of JS preprocessing + the plain file, on realistic and edge rows`, async () => {
    const reference = await runOnnx(plain, preprocessBatch(SEED_CONTRACT, rows, n), [n, ...SAMPLE_SHAPE]);
    const actual = await runOnnx(embedded, rows, [n, VOXELS]);
    expect(maxAbsDiff(actual, reference)).toBeLessThanOrEqual(TOLERANCE);
    expect(argmaxRows(actual, 10)).toEqual(argmaxRows(reference, 10));
    expect(new Set(argmaxRows(reference, 10)).size).toBeGreaterThan(1);
  });

  it('every edge row gives finite probabilities summing to 1 (no division by zero)', async () => {
    const out = await runOnnx(embedded, concatRows(edges.map((e) => e.row)), [edges.length, VOXELS]);
    edges.forEach((edge, r) => {
      const p = Array.from(out.subarray(r * 10, (r + 1) * 10));
      expect(p.every(Number.isFinite), edge.name).toBe(true);
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1), edge.name).toBeLessThan(1e-5);
    });
  });

  it('only standard ops of the default domain, and the plain graph after them unchanged', () => {
    const ops = (bytes: Uint8Array) =>
      decodeModel(bytes).graph.node.map((node) => [node.op_type, node.domain ?? '']);
    const before = ops(plain);
    const after = ops(embedded);
    expect(after.slice(after.length - before.length)).toEqual(before);
    expect(after.slice(0, after.length - before.length).map(([op]) => op)).toEqual([
      'ReduceMin',
      'ReduceMax',
      'Sub',
      'Equal',
      'Cast',
      'Add',
      'Sub',
      'Div',
      'Mul',
      'Floor',
      'Cast',
      'Gather',
      'Reshape',
    ]);
    expect(after.every(([, domain]) => domain === '')).toBe(true);
  });

  it('grows the file by at most 4 KB plus the colour table', () => {
    expect(embedded.length - plain.length).toBeLessThanOrEqual(4096 + COLOUR_TABLE_BYTES);
  });

  it('plain and embedded files pass onnx.checker.check_model(full_check=True)', async () => {
    expect(await checkWithOnnxChecker([plain, embedded])).toEqual(['ok', 'ok']);
  });

  it('the plain file writes the v2 keys too, input_kind preprocessed', () => {
    const meta = Object.fromEntries(decodeModel(plain).metadata_props.map((p) => [p.key, p.value]));
    expect(meta).toEqual({
      [KEYS.contractVersion]: '2',
      [KEYS.labels]: JSON.stringify(SEED_CONTRACT.labels),
      [KEYS.grid]: '[16,16,16]',
      [KEYS.rawChannels]: '1',
      [KEYS.voxelOrder]: 'dhwc',
      [KEYS.preprocessing]: 'oranges-rgb',
      [KEYS.inputKind]: 'preprocessed',
      [KEYS.inputLayout]: 'NDHWC',
      [KEYS.inputShape]: '[16,16,16,3]',
      [KEYS.testAccuracy]: '0.5',
    });
  });
});

describe('bad option combinations are one-line ExportErrors', () => {
  const cases: [string, () => tf.LayersModel, ExportOptions, RegExp][] = [
    [
      'embedding without a contract',
      () => tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] }),
      { embedPreprocessing: true },
      /embedPreprocessing needs a model contract, and model '.*' has none/,
    ],
    [
      'embedding with contract: null',
      () => seedModel(),
      { embedPreprocessing: true, contract: null },
      /embedPreprocessing needs a model contract/,
    ],
    [
      'oranges-rgb on a 2-channel model',
      () => flattenModel([4, 4, 4, 2], MINMAX, 2).model,
      { contract: flattenModel([4, 4, 4, 2], MINMAX, 2).contract, preprocessing: 'oranges-rgb' },
      /^option preprocessing: .*'oranges-rgb' maps 1 raw channel to RGB, got 2 channels/,
    ],
    [
      'embedding in a model whose contract already takes raw rows',
      () => tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [8] })] }),
      {
        contract: defineContract({
          labels: ['a', 'b'],
          grid: [2, 2, 2],
          rawChannels: 1,
          preprocessing: 'none',
          inputKind: 'raw',
        }),
        embedPreprocessing: true,
      },
      /^embedPreprocessing: the contract says model '.*' already takes raw rows/,
    ],
    [
      'opencvCompatible without embedPreprocessing',
      () => seedModel(),
      { opencvCompatible: true },
      /^opencvCompatible applies to embedPreprocessing only; set embedPreprocessing too$/,
    ],
    [
      'an unknown preprocessing',
      () => seedModel(),
      { preprocessing: 'viridis' },
      /^option preprocessing: .*'viridis'/,
    ],
  ];
  it.each(cases)('%s', (_name, make, options, message) => {
    const error = (() => {
      try {
        convertModel(make(), options);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.name).toBe('ExportError');
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });
});
