// The segmentation section of the parity suite: a fully convolutional segmenter built in code (seeded weights),
// exported with @conv3d/export-onnx (free D, H, W), segments a volume larger than its patch, in windows of the
// patch, on tfjs stock `cpu` (the reference, windows run through core's slidingWindow) and on @conv3d/infer-node
// (onnxruntime-node, in-thread and pooled).
// Probabilities within 1e-5, identical label maps except at exact ties, and the blended result independent of the
// window batch within 1e-6. The browser runtimes too: @conv3d/infer-web on wasm in Node, and in a Web Worker in
// headless Chromium on wasm and WebGPU (1e-4), and the tfjs fast CPU path (conv3d-cpu, 1e-5).
// Then a trained U-Net (configs/unet3d-tiny.json, 1 epoch by train() on a tiny seeded shapes-seg set; it has
// MaxPooling3D, BatchNormalization and Conv3DTranspose) exported with free size and segmented in windows of its
// training patch on tfjs cpu and onnxruntime-node (1e-5). The table lands in test-artifacts/parity-segment.md.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  contractFromMetadata,
  contractToMetadata,
  defineContract,
  type ModelContract,
  preprocessVolume,
  Rng,
  readOnnxMetadata,
  type Segmentation,
  type Size3,
  slidingWindow,
} from '@conv3d/core';
import { buildShapesSeg, shapesSegSplit } from '@conv3d/data';
import { convertModel } from '@conv3d/export-onnx';
import { loadSegmenter } from '@conv3d/infer-node';
import { loadSegmenter as loadWebSegmenter } from '@conv3d/infer-web';
import { loadTrainConfig, selectBackend, train } from '@conv3d/train';
import { BrowserUnavailableError, startBrowserHarness } from '@conv3d/web-demo/harness';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ARTIFACTS = join(import.meta.dirname, 'test-artifacts');
const PATCH: Size3 = [8, 12, 12];
const SIZE: Size3 = [20, 26, 31];
const LABELS = ['background', 'a', 'b', 'c'];
const TOLERANCE = 1e-5;
// The export has free D, H, W (Conv3D 'same' only): windows of the patch are asked for, as for a fixed-size model.
const OPTIONS = { roi: PATCH, overlap: 0.5, blend: 'gaussian' as const, output: 'probabilities' as const };
/** WebGPU (SwiftShader in CI) against the CPU reference. */
const GPU_TOLERANCE = 1e-4;
const inCi = process.env.CI === 'true';

const contract = defineContract({
  task: 'segment',
  labels: LABELS,
  grid: PATCH,
  rawChannels: 1,
  preprocessing: 'none',
  inputKind: 'preprocessed',
  segmentation: { output: 'probabilities', freeSize: false },
});

/** Conv3D 'same' (relu) → dilated Conv3D 'same' (relu) → 1³ Conv3D to K → per-voxel softmax. */
function buildModel(): tf.LayersModel {
  const input = tf.input({ shape: [...PATCH, 1] });
  let x = tf.layers.conv3d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input);
  x = tf.layers
    .conv3d({ filters: 6, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu' })
    .apply(x);
  x = tf.layers.conv3d({ filters: LABELS.length, kernelSize: 1 }).apply(x);
  const output = tf.layers.softmax({ axis: -1 }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'segment_parity' });
  const rng = new Rng(2026, 22);
  model.setWeights(
    model.getWeights().map((w) => {
      const n = w.size;
      const fanIn = w.shape.length > 1 ? n / (w.shape.at(-1) as number) : 1;
      const limit = w.shape.length > 1 ? 4 * Math.sqrt(3 / fanIn) : 0.01;
      return tf.tensor(rng.floats(n, -limit, limit), w.shape);
    }),
  );
  model.setUserDefinedMetadata({ conv3d: contractToMetadata(contract) });
  return model;
}

function volume(): Float32Array {
  const rng = new Rng(2026, 23);
  const noise = rng.floats(SIZE[0] * SIZE[1] * SIZE[2], -0.3, 0.3);
  return noise.map((v, i) => {
    const x = i % SIZE[2];
    const y = Math.floor(i / SIZE[2]) % SIZE[1];
    const z = Math.floor(i / (SIZE[1] * SIZE[2]));
    return v + Math.sin(x / 4) * Math.cos(y / 5) + (z > 10 ? 0.5 : -0.5);
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** Voxels whose labels differ although the reference's two probabilities are not within `tie`. */
function labelMismatches(a: Segmentation, reference: Segmentation, tie = TOLERANCE): number {
  const p = reference.probabilities as Float32Array;
  const k = p.length / reference.labels.length;
  let bad = 0;
  for (let v = 0; v < a.labels.length; v++) {
    const [i, j] = [a.labels[v] as number, reference.labels[v] as number];
    if (i !== j && Math.abs((p[v * k + i] as number) - (p[v * k + j] as number)) > tie) bad++;
  }
  return bad;
}

let model: tf.LayersModel;
let root: string;
let onnx: string;
const data = volume();
const rows: string[] = [];
const unetRows: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = buildModel();
  root = await mkdtemp(join(tmpdir(), 'conv3d-seg-parity-'));
  onnx = join(root, 'segmenter.onnx');
  await writeFile(onnx, convertModel(model).bytes);
}, 120_000);

afterAll(async () => {
  model?.dispose();
  await rm(root, { recursive: true, force: true });
  if (rows.length === 0 && unetRows.length === 0) return;
  const table = [
    `# Parity: segmentation, a ${SIZE.join('×')} volume in ${PATCH.join('×')} windows (overlap 0.5, gaussian), ${LABELS.length} labels`,
    '',
    '| runtime | vs tfjs cpu: max abs diff (probabilities) | label mismatches (not ties) | windows |',
    '| ------- | ----------------------------------------- | --------------------------- | ------- |',
    ...rows,
    '',
    `## The trained U-Net (unet3d-tiny, 1 epoch), a ${UNET_SIZE.join('×')} shapes-seg volume in ${UNET_PATCH.join('×')} windows (overlap 0.5, gaussian), ${SHAPES_LABELS} labels`,
    '',
    '| runtime | vs tfjs cpu: max abs diff (probabilities) | label mismatches (not ties) | windows |',
    '| ------- | ----------------------------------------- | --------------------------- | ------- |',
    ...unetRows,
    '',
  ].join('\n');
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, 'parity-segment.md'), table);
  console.log(`\n${table}`);
});

/** A tfjs model through core's sliding windows, on the current tfjs backend (stock cpu: the reference). */
async function tfjsSegment(
  net: tf.LayersModel,
  spec: ModelContract,
  volumeData: Float32Array,
  size: Size3,
  patch: Size3,
  batch: number,
): Promise<Segmentation> {
  const input = preprocessVolume({ data: volumeData, size, roi: patch }, spec);
  const result = await slidingWindow(
    input,
    size,
    1,
    spec.labels.length,
    async (windows, count) => {
      const x = tf.tensor(windows, [count, ...patch, 1]);
      const y = net.predict(x) as tf.Tensor;
      const out = (await y.data()) as Float32Array;
      tf.dispose([x, y]);
      return out;
    },
    { roi: patch, overlap: 0.5, blend: 'gaussian', batch, probabilities: true },
  );
  return { dims: size, roi: patch, ...result };
}

const tfjsReference = (batch: number) => tfjsSegment(model, contract, data, SIZE, PATCH, batch);

type Harness = Awaited<ReturnType<typeof startBrowserHarness>>;

/** Chromium serving `segmenter` as ./segmenter.onnx; skips the test when Chromium (or WebGPU) is missing, outside CI. */
async function startChromium(
  skip: (note: string) => never,
  segmenter: string,
  webgpu: boolean,
): Promise<Harness> {
  let harness: Harness;
  try {
    harness = await startBrowserHarness({ segmenterPath: segmenter, webgpu });
  } catch (error) {
    if (error instanceof BrowserUnavailableError && !inCi) return skip(error.message);
    throw error;
  }
  const why = webgpu ? await harness.webgpuUnavailableReason() : null;
  if (why !== null) {
    await harness.close();
    if (inCi) throw new Error(`no WebGPU adapter in Chromium: ${why}`);
    return skip(why);
  }
  return harness;
}

/** ./segmenter.onnx segments `volumeData` in infer-web's Web Worker in Chromium. */
async function chromiumSegment(
  harness: Harness,
  webgpu: boolean,
  volumeData: Float32Array,
  size: Size3,
  options: typeof OPTIONS & { batch: number },
): Promise<Segmentation> {
  const r = await harness.segment({
    model: './segmenter.onnx',
    device: webgpu ? 'webgpu' : 'wasm',
    volume: { data: Array.from(volumeData), dims: [...size] },
    options: { ...options, roi: [...options.roi] },
    worker: true,
    returnData: true,
  });
  expect(r.provider).toBe(webgpu ? 'webgpu' : 'wasm');
  return {
    dims: r.dims,
    roi: r.roi,
    windows: r.windows,
    labels: Uint8Array.from(r.labels ?? []),
    probabilities: Float32Array.from(r.probabilities ?? []),
  };
}

/** Probabilities within `tolerance` of `reference`, no label mismatch but ties, one row of `table`. */
function expectParity(
  table: string[],
  name: string,
  result: Segmentation,
  reference: Segmentation,
  tolerance: number,
): void {
  const diff = maxAbsDiff(result.probabilities as Float32Array, reference.probabilities as Float32Array);
  const mismatches = labelMismatches(result, reference, tolerance);
  table.push(`| ${name} | ${diff.toExponential(2)} | ${mismatches} | ${result.windows} |`);
  expect(diff).toBeLessThanOrEqual(tolerance);
  expect(mismatches).toBe(0);
}

describe('segmentation parity', () => {
  let reference: Segmentation;

  it('tfjs cpu: the reference, the same for window batches 1 and 5 (1e-6)', async () => {
    reference = await tfjsReference(5);
    const one = await tfjsReference(1);
    expect(
      maxAbsDiff(one.probabilities as Float32Array, reference.probabilities as Float32Array),
    ).toBeLessThanOrEqual(1e-6);
    expect(reference.windows).toBe(4 * 4 * 5);
    // Not a trivial map: most labels occur.
    expect(new Set(reference.labels).size).toBeGreaterThanOrEqual(3);
    rows.push(`| tfjs cpu (reference) | 0 | 0 | ${reference.windows} |`);
  }, 300_000);

  for (const workers of [0, 1]) {
    const name = `onnxruntime-node (infer-node${workers ? ', worker pool' : ''})`;
    it(`${name}: within 1e-5 of tfjs, same labels, batch-independent (1e-6)`, async () => {
      const segmenter = await loadSegmenter(onnx, { device: 'cpu', workers });
      try {
        const results = [];
        for (const batch of [1, 4, 80]) {
          results.push(await segmenter.segment({ data, dims: SIZE }, { ...OPTIONS, batch }));
        }
        const [first, ...rest] = results as [Segmentation, ...Segmentation[]];
        for (const r of rest) {
          expect(
            maxAbsDiff(r.probabilities as Float32Array, first.probabilities as Float32Array),
          ).toBeLessThanOrEqual(1e-6);
        }
        const diff = maxAbsDiff(first.probabilities as Float32Array, reference.probabilities as Float32Array);
        const mismatches = labelMismatches(first, reference);
        rows.push(`| ${name} | ${diff.toExponential(2)} | ${mismatches} | ${first.windows} |`);
        expect(diff).toBeLessThanOrEqual(TOLERANCE);
        expect(mismatches).toBe(0);
      } finally {
        await segmenter.dispose();
      }
    }, 300_000);
  }

  it('tfjs fast CPU path (conv3d-cpu): within 1e-5 of tfjs cpu, same labels', async () => {
    const choice = await selectBackend('fast-cpu');
    try {
      if (choice.name !== 'fast-cpu') throw new Error(`fast-cpu resolved to ${choice.name}`);
      expectParity(rows, 'tfjs fast CPU path (conv3d-cpu)', await tfjsReference(5), reference, TOLERANCE);
    } finally {
      await tf.setBackend('cpu');
    }
  }, 300_000);

  it('infer-web wasm (Node): within 1e-5 of tfjs, same labels, batch-independent (1e-6)', async () => {
    const segmenter = await loadWebSegmenter(new Uint8Array(await readFile(onnx)), { device: 'wasm' });
    try {
      const one = await segmenter.segment({ data, dims: SIZE }, { ...OPTIONS, batch: 1 });
      const all = await segmenter.segment({ data, dims: SIZE }, { ...OPTIONS, batch: 80 });
      expect(
        maxAbsDiff(one.probabilities as Float32Array, all.probabilities as Float32Array),
      ).toBeLessThanOrEqual(1e-6);
      expectParity(rows, 'infer-web wasm (Node)', one, reference, TOLERANCE);
    } finally {
      await segmenter.dispose();
    }
  }, 300_000);

  for (const webgpu of [false, true]) {
    const name = `infer-web ${webgpu ? 'webgpu' : 'wasm'} (Chromium, Web Worker)`;
    const what = webgpu ? '1e-4 of tfjs, same labels' : '1e-5 of tfjs, same labels, batch-independent (1e-6)';
    it(`${name}: within ${what}`, async (ctx) => {
      const harness = await startChromium(ctx.skip, onnx, webgpu);
      try {
        const run = (batch: number) =>
          chromiumSegment(harness, webgpu, data, SIZE, { ...OPTIONS, roi: PATCH, batch });
        // SwiftShader compiles WebGPU shaders per input shape (tens of seconds here): WebGPU runs all 80 windows in
        // one batch; batch independence is checked on wasm.
        const all = await run(80);
        if (!webgpu) {
          const one = await run(1);
          expect(
            maxAbsDiff(one.probabilities as Float32Array, all.probabilities as Float32Array),
          ).toBeLessThanOrEqual(1e-6);
        }
        expectParity(rows, name, all, reference, webgpu ? GPU_TOLERANCE : TOLERANCE);
      } finally {
        await harness.close();
      }
    }, 300_000);
  }
});

const UNET_CONFIG = join(import.meta.dirname, '../packages/train/configs/unet3d-tiny.json');
/** The training patch (shapes-seg grid) and a larger volume segmented in windows of it. */
const UNET_PATCH: Size3 = [4, 8, 8];
const UNET_SIZE: Size3 = [8, 16, 20];
const SHAPES_LABELS = 4;

describe('segmentation parity: a U-Net trained by train()', () => {
  let unet: tf.LayersModel;
  let dispose: () => void;
  let unetContract: ModelContract;
  let unetOnnx: string;
  // One unseen shapes-seg volume at the larger size (another seed than the training set's).
  const unetData = shapesSegSplit({ seed: 11, rows: { train: 0, test: 1 }, grid: UNET_SIZE }, 'test').x;
  let reference: Segmentation;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const dir = await mkdtemp(join(tmpdir(), 'conv3d-seg-parity-unet-'));
    const seg = join(dir, 'seg.h5');
    await buildShapesSeg(seg, { seed: 3, rows: { train: 8, test: 3 }, grid: UNET_PATCH });
    const result = await train({
      config: loadTrainConfig(UNET_CONFIG),
      epochs: 1,
      data: seg,
      backend: 'cpu',
      outDir: join(dir, 'run'),
      progress: false,
      log: () => {},
    });
    unet = result.model;
    dispose = () => result.dispose();
    const { bytes, summary } = convertModel(unet);
    expect(summary.freeSize).toBe(true);
    expect(summary.opTypes.ConvTranspose).toBeGreaterThan(0);
    unetOnnx = join(root, 'unet.onnx');
    await writeFile(unetOnnx, bytes);
    unetContract = contractFromMetadata(readOnnxMetadata(bytes, unetOnnx), unetOnnx);
    await rm(dir, { recursive: true, force: true });
  }, 300_000);

  afterAll(() => dispose?.());

  it('tfjs cpu: the reference, the same for window batches 1 and 8 (1e-6)', async () => {
    reference = await tfjsSegment(unet, unetContract, unetData, UNET_SIZE, UNET_PATCH, 8);
    const one = await tfjsSegment(unet, unetContract, unetData, UNET_SIZE, UNET_PATCH, 1);
    expect(
      maxAbsDiff(one.probabilities as Float32Array, reference.probabilities as Float32Array),
    ).toBeLessThanOrEqual(1e-6);
    expect(unetContract.labels).toHaveLength(SHAPES_LABELS);
    expect(new Set(reference.labels).size).toBeGreaterThanOrEqual(2);
    unetRows.push(`| tfjs cpu (reference) | 0 | 0 | ${reference.windows} |`);
  }, 300_000);

  it('onnxruntime-node (infer-node): within 1e-5 of tfjs, same labels', async () => {
    const segmenter = await loadSegmenter(unetOnnx, { device: 'cpu', workers: 0 });
    try {
      const result = await segmenter.segment(
        { data: unetData, dims: UNET_SIZE },
        { ...OPTIONS, roi: UNET_PATCH, batch: 8 },
      );
      expectParity(unetRows, 'onnxruntime-node (infer-node)', result, reference, TOLERANCE);
    } finally {
      await segmenter.dispose();
    }
  }, 300_000);

  it('infer-web wasm (Node, and Chromium Web Worker): within 1e-5 of tfjs, same labels', async (ctx) => {
    const segmenter = await loadWebSegmenter(new Uint8Array(await readFile(unetOnnx)), { device: 'wasm' });
    const options = { ...OPTIONS, roi: UNET_PATCH, batch: 8 };
    try {
      const result = await segmenter.segment({ data: unetData, dims: UNET_SIZE }, options);
      expectParity(unetRows, 'infer-web wasm (Node)', result, reference, TOLERANCE);
    } finally {
      await segmenter.dispose();
    }
    const harness = await startChromium(ctx.skip, unetOnnx, false);
    try {
      const result = await chromiumSegment(harness, false, unetData, UNET_SIZE, options);
      expectParity(unetRows, 'infer-web wasm (Chromium, Web Worker)', result, reference, TOLERANCE);
    } finally {
      await harness.close();
    }
  }, 300_000);
});
