// matplotlib's Oranges table as a piecewise-linear function of the entry index, so the embedded graph can look
// colours up with MatMul and Relu instead of Gather: OpenCV 4.6's importer takes Gather with constant indices only.
import { ORANGES_LUT, ORANGES_LUT_SIZE } from '@conv3d/core';
import type { GraphBuilder } from './graph.js';

/** The ColorBrewer colours matplotlib interpolates between (9 for Oranges: 8 linear segments). */
export const ORANGES_SEGMENTS = 8;

/**
 * table[i] = first + Σ_j weights[j]·Relu(i − knots[j]) for every integer i in [0, N] (i = N is the clamp: it gives
 * entry N − 1, as floor(x·N) = N at x = 1 does in matplotlib). matplotlib samples its segmented colormap at
 * i/(N − 1), so segment s spans indices [s·(N − 1)/8, (s + 1)·(N − 1)/8]; its slope is read from the table itself.
 * `weights` is [K, 3] row-major; knots[0] = 0 (the first slope), the last knot N − 1 cancels the last slope.
 */
export function orangesKnots(): { knots: number[]; weights: Float64Array; first: number[] } {
  const n = ORANGES_LUT_SIZE;
  const entry = (i: number, c: number) => ORANGES_LUT[i * 3 + c] as number;
  const slopes: number[][] = [];
  for (let s = 0; s < ORANGES_SEGMENTS; s++) {
    const a = Math.ceil((s * (n - 1)) / ORANGES_SEGMENTS);
    const b = Math.floor(((s + 1) * (n - 1)) / ORANGES_SEGMENTS);
    slopes.push([0, 1, 2].map((c) => (entry(b, c) - entry(a, c)) / (b - a)));
  }
  const knots = [
    ...Array.from({ length: ORANGES_SEGMENTS }, (_, s) => (s * (n - 1)) / ORANGES_SEGMENTS),
    n - 1,
  ];
  const weights = new Float64Array(knots.length * 3);
  for (let j = 0; j < knots.length; j++) {
    for (let c = 0; c < 3; c++) {
      const after = j < ORANGES_SEGMENTS ? (slopes[j]?.[c] as number) : 0;
      const before = j > 0 ? (slopes[j - 1]?.[c] as number) : 0;
      weights[j * 3 + c] = after - before;
    }
  }
  return { knots, weights, first: [0, 1, 2].map((c) => entry(0, c)) };
}

/**
 * Oranges colours of the integer indices `index` (float, [N, V], values 0..N) without Gather, for OpenCV 4.6: the
 * indices as one column [N·V, 1], a Gemm to one column per knot (i − knot), Relu, and a Gemm that weighs the hinges
 * per colour and adds the first entry; out [N·V, 3] (voxel-major, channels last).
 */
export function addOrangesHinges(graph: GraphBuilder, index: string, base: string): string {
  const { knots, weights, first } = orangesKnots();
  const k = knots.length;
  const shape = graph.addInt64Initializer(`${base}/column`, [2], [-1, 1]);
  const column = graph.addNode('Reshape', [index, shape], {}, `${base}/index_column`);
  const ones = graph.addFloatInitializer(`${base}/ones`, [k, 1], new Float32Array(k).fill(1));
  const minus = graph.addFloatInitializer(
    `${base}/minus_knots`,
    [k],
    Float32Array.from(knots, (v) => -v),
  );
  const offsets = graph.addNode('Gemm', [column, ones, minus], { transB: 1 }, `${base}/index_minus_knots`);
  const hinges = graph.addNode('Relu', [offsets], {}, `${base}/hinges`);
  const slopes = new Float32Array(3 * k);
  for (let j = 0; j < k; j++) for (let c = 0; c < 3; c++) slopes[c * k + j] = weights[j * 3 + c] as number;
  const w = graph.addFloatInitializer(`${base}/oranges_slopes`, [3, k], slopes);
  const b = graph.addFloatInitializer(`${base}/oranges_first`, [3], Float32Array.from(first));
  return graph.addNode('Gemm', [hinges, w, b], { transB: 1 }, `${base}/rgb`);
}
