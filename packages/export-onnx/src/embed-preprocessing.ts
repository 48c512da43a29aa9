// The contract's preprocessing as standard ONNX ops (opset 17, default domain), put in front of the model so the
// graph takes raw rows [N, V] and gives probabilities. Float32 throughout, the same steps in the same order as
// @conv3d/core's float32 path, so float32 rows give bit-identical model inputs.
import { MINMAX, type ModelContract, NONE, ORANGES_LUT, ORANGES_LUT_SIZE, ORANGES_RGB } from '@conv3d/core';
import { ExportError } from './errors.js';
import type { GraphBuilder } from './graph.js';
import { addOrangesHinges } from './oranges-knots.js';
import { DataType } from './proto/index.js';

/**
 * The Oranges table with its last row repeated: index floor(x·256) is 256 only for the sample's maximum (x = 1),
 * which matplotlib maps to entry 255, so row 256 = row 255 is the clamp without a Clip pass.
 */
function lookupTable(): Float32Array {
  const table = new Float32Array((ORANGES_LUT_SIZE + 1) * 3);
  table.set(ORANGES_LUT);
  table.copyWithin(ORANGES_LUT_SIZE * 3, (ORANGES_LUT_SIZE - 1) * 3, ORANGES_LUT_SIZE * 3);
  return table;
}

/** The registry's preprocessings this module writes as ONNX ops. */
export const EMBEDDABLE: readonly string[] = [ORANGES_RGB, MINMAX, NONE];

/**
 * Adds the preprocessing nodes in front of the graph: a new input `[N, rawValues]` whose result, shaped
 * [N, D, H, W, C], is written to `modelInput` (the converted model's input, which stops being a graph input).
 * Returns the new input's name. `opencvCompatible` writes ops OpenCV 4.6's importer takes (no Gather, no
 * broadcasting Sub of two computed tensors), at some speed cost; the results are the same within float rounding.
 */
export function embedPreprocessing(
  graph: GraphBuilder,
  modelInput: string,
  contract: ModelContract,
  opencvCompatible = false,
): string {
  if (!EMBEDDABLE.includes(contract.preprocessing)) {
    throw new ExportError(
      `embedPreprocessing: preprocessing '${contract.preprocessing}' has no ONNX form here (embeddable: ${EMBEDDABLE.join(', ')})`,
    );
  }
  const first = graph.nodes.length;
  const raw = graph.uniqueName('raw_voxels');
  const base = 'preprocess';
  const scalar = (name: string, value: number) =>
    graph.addFloatInitializer(`${base}/${name}`, [], new Float32Array([value]));

  let voxels: string;
  if (contract.preprocessing === NONE) {
    voxels = raw;
  } else {
    const scaled = autoscale(graph, raw, base, scalar, opencvCompatible);
    if (contract.preprocessing === MINMAX) {
      voxels = scaled;
    } else {
      // Colormap.__call__: index = trunc(x·N) (x ≥ 0 here, so Floor), x = 1 → the last entry (see lookupTable).
      const times = graph.addNode(
        'Mul',
        [scaled, scalar('lut_size', ORANGES_LUT_SIZE)],
        {},
        `${base}/x_times_n`,
      );
      const floor = graph.addNode('Floor', [times], {}, `${base}/floor`);
      if (opencvCompatible) {
        voxels = addOrangesHinges(graph, floor, base);
      } else {
        // Floor before Cast: the spec leaves Cast's float → int rounding open (onnx/onnx#3876).
        const index = graph.addNode('Cast', [floor], { to: DataType.INT32 }, `${base}/index`);
        const table = graph.addFloatInitializer(
          `${base}/oranges_lut`,
          [ORANGES_LUT_SIZE + 1, 3],
          lookupTable(),
        );
        voxels = graph.addNode('Gather', [table, index], { axis: 0 }, `${base}/rgb`);
      }
    }
  }
  const shape = graph.addInt64Initializer(`${base}/shape`, [5], [-1, ...contract.grid, contract.channels]);
  graph.nodes.push({
    name: graph.uniqueName(`${base}/Reshape`),
    op_type: 'Reshape',
    input: [voxels, shape],
    output: [modelInput],
    attribute: [],
  });
  // Topological order: the preprocessing nodes go before the model's.
  graph.nodes.unshift(...graph.nodes.splice(first));
  return raw;
}

/**
 * Per-sample (v − min) / (max − min) over the whole row, as matplotlib's Normalize with no limits set. A constant
 * (or empty) sample maps to 0, as @conv3d/core does: its range is replaced by 1, and v − min is 0 everywhere.
 */
function autoscale(
  graph: GraphBuilder,
  raw: string,
  base: string,
  scalar: (name: string, value: number) => string,
  opencvCompatible: boolean,
): string {
  const min = graph.addNode('ReduceMin', [raw], { axes: [1], keepdims: 1 }, `${base}/min`);
  const max = graph.addNode('ReduceMax', [raw], { axes: [1], keepdims: 1 }, `${base}/max`);
  const range = graph.addNode('Sub', [max, min], {}, `${base}/range`);
  // With Equal(range, 0) OpenCV 4.6's import fails ('total' assertion); max = min is the same test for finite rows.
  const isConstant = graph.addNode(
    'Equal',
    opencvCompatible ? [max, min] : [range, scalar('zero', 0)],
    {},
    `${base}/is_constant`,
  );
  const one = graph.addNode('Cast', [isConstant], { to: DataType.FLOAT }, `${base}/constant_as_one`);
  const divisor = graph.addNode('Add', [range, one], {}, `${base}/divisor`);
  // OpenCV 4.6 can't broadcast Sub of two computed tensors: spread min over the row first, as (v·0 + 1)·min.
  const subtrahend = opencvCompatible
    ? graph.addNode(
        'Mul',
        [
          graph.addNode(
            'Add',
            [
              graph.addNode('Mul', [raw, scalar('zero_times', 0)], {}, `${base}/times_zero`),
              scalar('one', 1),
            ],
            {},
            `${base}/ones`,
          ),
          min,
        ],
        {},
        `${base}/min_per_voxel`,
      )
    : min;
  const shifted = graph.addNode('Sub', [raw, subtrahend], {}, `${base}/shifted`);
  return graph.addNode('Div', [shifted, divisor], {}, `${base}/scaled`);
}
