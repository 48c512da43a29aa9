// The cross-runtime parity suite: one trained model, ≥ 200 real test samples, every runtime, the same answers.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineContract, preprocessBatch, SEED_CONTRACT } from '@conv3d/core';
import { openDataset } from '@conv3d/data';
import { convertModel, exportModelFile } from '@conv3d/export-onnx';
import { load as loadNode } from '@conv3d/infer-node';
import { load as loadWeb } from '@conv3d/infer-web';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareAll, type PairStats, parityMarkdown, type RuntimeResult } from './parity/compare.js';
import {
  concat,
  edgeRows,
  maxAbsDiff,
  onnxCheck,
  opencvRun,
  ortNodeRun,
  voxelsInAnotherEntry,
} from './parity/embedded.js';
import { type ParityModel, parityModelFromRun, paritySamples, prepareParityModel } from './parity/model.js';
import { type ParityInputs, RUNTIMES, ranHere, runRuntime } from './parity/runtimes.js';

const ARTIFACTS = join(import.meta.dirname, 'test-artifacts');
const SAMPLES = 256;
const VOXELS = SEED_CONTRACT.rawLength;
const SAMPLE_SHAPE = SEED_CONTRACT.inputShape;
const SAMPLE_SIZE = SEED_CONTRACT.inputSize;
const inCi = process.env.CI === 'true';
/**
 * A run folder to hold to parity instead of the suite's own short seed run (`CONV3D_PARITY_RUN=runs/best npm test
 * -w test -- parity`): the one setting this suite reads, so a full training run is checked by the same tests.
 */
const givenRun = process.env.CONV3D_PARITY_RUN;

let model: ParityModel;
let inputs: ParityInputs;
const results: RuntimeResult[] = [];
let pairs: PairStats[] = [];
/** Lines of the embedded-preprocessing section of parity.md, filled by its tests. */
const embeddedReport: string[] = [];

beforeAll(async () => {
  const dir = join(ARTIFACTS, 'parity-model');
  model = givenRun ? await parityModelFromRun(givenRun, dir) : await prepareParityModel(dir);
  const { vectors } = await paritySamples(model.dataPath, SAMPLES);
  inputs = { vectors, runDir: model.runDir, onnxPath: model.onnxPath, onnxBytes: model.onnxBytes };
}, 900_000);

afterAll(async () => {
  if (results.length === 0 && embeddedReport.length === 0) return;
  pairs = compareAll(results);
  const markdown = `${parityMarkdown(pairs, results)}${embeddedReport.length ? `\n## Embedded preprocessing (raw rows in)\n\n${embeddedReport.join('\n')}\n` : ''}`;
  const header = `# Parity: ${SAMPLES} real 3D MNIST test samples, model test accuracy ${(model.testAccuracy * 100).toFixed(1)} %\n\n`;
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, 'parity.md'), header + markdown);
  await writeFile(
    join(ARTIFACTS, 'parity.json'),
    `${JSON.stringify({ samples: SAMPLES, testAccuracy: model.testAccuracy, runtimes: results.map((r) => ({ runtime: r.runtime, unavailable: r.unavailable })), pairs, embedded: embeddedReport }, null, 2)}\n`,
  );
  console.log(`\n${header}${markdown}`);
});

describe('parity across runtimes', () => {
  for (const runtime of RUNTIMES) {
    it(`runs ${runtime.name}`, async () => {
      const result = await runRuntime(runtime, inputs);
      results.push(result);
      if (!ranHere(result)) return;
      expect(result.probabilities).toHaveLength(SAMPLES);
      for (const row of result.probabilities) {
        expect(row).toHaveLength(10);
        const sum = row.reduce((s, v) => s + v, 0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
      }
    }, 600_000);
  }

  it('every pair of runtimes agrees within tolerance with the same argmax on every sample', () => {
    const ran = results.filter((r) => r.unavailable === null);
    expect(ran.map((r) => r.runtime)).toContain('tfjs cpu (reference)');
    expect(ran.length).toBeGreaterThanOrEqual(inCi ? 5 : 3);
    const failed = compareAll(results).filter((p) => p.status === 'FAIL');
    expect(failed, parityMarkdown(failed, [])).toEqual([]);
  });
});

/** Embedded file (float32 raw rows) against JS preprocessing of the same float32 rows + the plain file. */
const EMBEDDED_TOLERANCE = 1e-6;
/** WebGPU (SwiftShader in CI) against onnxruntime-node CPU. */
const GPU_TOLERANCE = 1e-4;
/** OpenCV DNN against onnxruntime-node. */
const OPENCV_TOLERANCE = 1e-5;

describe('the embedded-preprocessing file (--embed-preprocessing): raw rows in, same probabilities', () => {
  let embeddedPath: string;
  let embedded: Uint8Array;
  let raw32: Float32Array;
  /** The 256 real rows as float32, then the edge rows. */
  let raw32Rows: Float32Array[];
  let reference: Float32Array;
  const edges = edgeRows();
  beforeAll(async () => {
    embeddedPath = join(ARTIFACTS, 'parity-model', 'parity-model-raw.onnx');
    await exportModelFile(model.runDir, embeddedPath, {
      embedPreprocessing: true,
      testAccuracy: model.testAccuracy,
    });
    embedded = new Uint8Array(await readFile(embeddedPath));
    raw32Rows = [...inputs.vectors.map((v) => Float32Array.from(v)), ...edges.map((e) => e.row)];
    raw32 = concat(raw32Rows, Float32Array) as Float32Array;
    const n = raw32.length / VOXELS;
    reference = await ortNodeRun(model.onnxBytes, preprocessBatch(SEED_CONTRACT, raw32, n), SAMPLE_SHAPE);
  }, 120_000);

  /** The runtimes' own classifiers, fed raw rows: each reads input_kind "raw" from the file and skips preprocessing. */
  const CLASSIFIERS = [
    ['infer-node cpu', SAMPLES, EMBEDDED_TOLERANCE],
    ['infer-web wasm (Node)', SAMPLES, EMBEDDED_TOLERANCE],
    ['infer-web wasm (Chromium)', SAMPLES, EMBEDDED_TOLERANCE],
    // SwiftShader runs WebGPU at about a second per sample: 32 real rows and the edge rows.
    ['infer-web webgpu (Chromium)', 32, GPU_TOLERANCE],
  ] as const;

  it.each(CLASSIFIERS)(
    `%s: the embedded file on raw rows (%i real + the edge rows) against JS preprocessing + the plain file`,
    async (name, count, tolerance) => {
      const runtime = RUNTIMES.find((r) => r.name === name);
      if (runtime === undefined) throw new Error(`no runtime ${name}`);
      const rows = [...raw32Rows.slice(0, count), ...raw32Rows.slice(SAMPLES)];
      const result = await runRuntime(runtime, {
        vectors: rows as unknown as Float64Array[],
        runDir: model.runDir,
        onnxPath: embeddedPath,
        onnxBytes: embedded,
      });
      if (result.unavailable !== null) {
        if (inCi) throw new Error(`${name} is required under CI=true: ${result.unavailable}`);
        embeddedReport.push(`- ${name}: not available (${result.unavailable})`);
        return;
      }
      const actual = concat(result.probabilities, Float32Array) as Float32Array;
      const want = concat(
        [reference.subarray(0, count * 10), reference.subarray(SAMPLES * 10)],
        Float32Array,
      ) as Float32Array;
      const real = count * 10;
      const realDiff = maxAbsDiff(actual.subarray(0, real), want.subarray(0, real));
      const edgeDiff = maxAbsDiff(actual.subarray(real), want.subarray(real));
      embeddedReport.push(
        `- ${name} classifier, embedded file (raw rows in) vs JS float32 preprocessing + plain file (onnxruntime-node): max abs diff ${realDiff.toExponential(2)} on ${count} real rows, ${edgeDiff.toExponential(2)} on the edge rows (${edges.map((e) => e.name).join(', ')}); tolerance ${tolerance}`,
      );
      expect(realDiff).toBeLessThanOrEqual(tolerance);
      expect(edgeDiff).toBeLessThanOrEqual(tolerance);
    },
    600_000,
  );

  it.each([
    ['infer-node', () => loadNode(embedded, { device: 'cpu' })],
    ['infer-web (wasm, Node)', () => loadWeb(embedded, { device: 'wasm' })],
  ] as const)(
    '%s reads input_kind raw from the embedded file and rejects NaN and Inf rows before the runtime',
    async (_name, open) => {
      const classifier = await open();
      try {
        expect(classifier.contract.inputKind).toBe('raw');
        expect(classifier.contract.inputShape).toEqual([VOXELS]);
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const row = Float32Array.from(raw32Rows[0] as Float32Array);
          row[321] = bad;
          await expect(classifier.predict(row)).rejects.toThrow(/input.*321.*(NaN|Infinity|finite)/);
        }
        // The same classifier still answers a valid row after the rejections.
        const [ok] = await classifier.predict(raw32Rows[0] as Float32Array);
        expect(maxAbsDiff(ok?.probabilities as Float32Array, reference.subarray(0, 10))).toBeLessThanOrEqual(
          EMBEDDED_TOLERANCE,
        );
      } finally {
        await classifier.dispose();
      }
    },
  );

  it(`OpenCV DNN runs the plain file within ${OPENCV_TOLERANCE} of onnxruntime-node (matplotlib's own preprocessing)`, async () => {
    const rows64 = concat(inputs.vectors, Float64Array) as Float64Array;
    const opencv = await opencvRun(model.onnxPath, rows64, ARTIFACTS);
    const ort = await ortNodeRun(
      model.onnxBytes,
      preprocessBatch(SEED_CONTRACT, rows64, SAMPLES),
      SAMPLE_SHAPE,
    );
    const diff = maxAbsDiff(opencv, ort);
    embeddedReport.push(
      `- OpenCV DNN ${'(python3-opencv)'} on the plain file vs onnxruntime-node, ${SAMPLES} real rows: max abs diff ${diff.toExponential(2)}; tolerance ${OPENCV_TOLERANCE}. OpenCV 4.6 cannot import the embedded file (Gather with computed indices).`,
    );
    expect(diff).toBeLessThanOrEqual(OPENCV_TOLERANCE);
  }, 120_000);

  it('both files pass onnx.checker.check_model(full_check=True)', async () => {
    expect([await onnxCheck(model.onnxPath), await onnxCheck(embeddedPath)]).toEqual(['ok', 'ok']);
  });

  it('rounding: the float32 graph against the float64 path (matplotlib, JS) on all 12 000 real rows', async () => {
    // A Flatten-only model shows the embedded graph's colours themselves.
    const flatten = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [...SAMPLE_SHAPE] })] });
    const labels = Array.from({ length: SAMPLE_SIZE }, (_, i) => String(i));
    const colours = convertModel(flatten, {
      contract: defineContract({ ...SEED_CONTRACT, labels }),
      embedPreprocessing: true,
    }).bytes;
    flatten.dispose();
    /** Voxels in another LUT entry, and the max probability difference over the rows whose colours differ. */
    const measure = async (rows64: Float64Array) => {
      const n = rows64.length / VOXELS;
      const rows32 = Float32Array.from(rows64);
      const js64 = preprocessBatch(SEED_CONTRACT, rows64, n);
      const flipped = voxelsInAnotherEntry(js64, await ortNodeRun(colours, rows32, [VOXELS]));
      // Bit-identical colours give bit-identical model inputs, and the embedded file = JS float32 + plain file
      // is tested above; the model runs only where the colours differ.
      if (flipped === 0) return { flipped, probability: 0 };
      const plain = await ortNodeRun(model.onnxBytes, js64, SAMPLE_SHAPE);
      return { flipped, probability: maxAbsDiff(plain, await ortNodeRun(embedded, rows32, [VOXELS])) };
    };
    const dataset = await openDataset(model.dataPath);
    let rows = 0;
    let flipped = 0;
    let probability = 0;
    try {
      for (const split of ['train', 'test'] as const) {
        const { x, count } = dataset.read(split);
        for (let start = 0; start < count; start += 1000) {
          const n = Math.min(1000, count - start);
          const chunk = await measure(Float64Array.from(x.subarray(start * VOXELS, (start + n) * VOXELS)));
          flipped += chunk.flipped;
          probability = Math.max(probability, chunk.probability);
          rows += n;
        }
      }
    } finally {
      dataset.close();
    }
    // Rows not divided by their max as the HDF5 file's are (v' = 0.7·v + 0.1): min ≠ 0, range 0.7 inexact.
    const rescaled = (concat(inputs.vectors, Float64Array) as Float64Array).map((v) => 0.7 * v + 0.1);
    const stress = await measure(rescaled);
    const voxels = rows * VOXELS;
    embeddedReport.push(
      `- rounding, float32 graph vs the float64 path (matplotlib, JS) on float64 rows: ${flipped} of ${voxels} voxels (${(flipped / voxels).toExponential(2)}) of the ${rows} real rows land in another LUT entry, max abs diff in probabilities ${probability.toExponential(2)}; on the ${SAMPLES} test rows rescaled to 0.7·v + 0.1: ${stress.flipped} of ${SAMPLES * VOXELS} voxels (${(stress.flipped / (SAMPLES * VOXELS)).toExponential(2)}), max abs diff in probabilities ${stress.probability.toExponential(2)}`,
    );
    expect(rows).toBe(12_000);
    expect(flipped / voxels).toBeLessThanOrEqual(1e-6);
    expect(probability).toBeLessThanOrEqual(1e-5);
    // Rescaled rows do round differently (ratios such as 1/2 become 0.4999… in one path): the count must see it.
    expect(stress.flipped).toBeGreaterThan(0);
    expect(stress.flipped / (SAMPLES * VOXELS)).toBeLessThanOrEqual(1e-2);
    expect(stress.probability).toBeLessThanOrEqual(1e-2);
  }, 300_000);
});
