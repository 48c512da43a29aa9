// Shared test inputs and the independent reference: onnxruntime-node (CPU) on the same preprocessing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  mulberry32,
  openSegmenter,
  preprocessBatch,
  SEED_CONTRACT,
  type Segmenter,
  type SessionHandler,
  type Volume,
} from '@conv3d/core';
import * as ortNode from 'onnxruntime-node';

/** The small test model with the real contract (scripts/make-test-model.py); also the web demo's default. */
export const TEST_MODEL = fileURLToPath(new URL('../fixtures/test-model.onnx', import.meta.url));

/**
 * Seeded 3D-MNIST-like raw vectors: point counts in a random sub-box of the grid, divided by the sample's max
 * (so max is exactly 1). Varying boxes and densities spread the test model's predictions over several classes.
 */
export function syntheticVectors(count: number, seed: number): number[][] {
  const next = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const box = [0, 1, 2].map(() => {
      const from = Math.floor(next() * 10);
      return [from, from + 4 + Math.floor(next() * (12 - from))] as const;
    });
    const density = 0.1 + next() * 0.5;
    const counts = Array.from({ length: SEED_CONTRACT.rawLength }, (_, i) => {
      const xyz = [i % 16, Math.floor(i / 16) % 16, Math.floor(i / 256)];
      const inside = xyz.every((c, axis) => c >= (box[axis]?.[0] ?? 0) && c < (box[axis]?.[1] ?? 0));
      return inside && next() < density ? Math.floor(next() * 40) + 1 : 0;
    });
    const max = Math.max(...counts);
    return counts.map((c) => c / max);
  });
}

/** Class probabilities from onnxruntime-node's CPU provider for raw vectors. */
export async function referenceProbabilities(vectors: readonly number[][], modelPath = TEST_MODEL) {
  const session = await ortNode.InferenceSession.create(readFileSync(modelPath));
  try {
    const input = preprocessBatch(SEED_CONTRACT, vectors.flat(), vectors.length);
    const feeds = {
      [session.inputNames[0] as string]: new ortNode.Tensor('float32', input, [
        vectors.length,
        ...SEED_CONTRACT.inputShape,
      ]),
    };
    const out = await session.run(feeds);
    const data = out[session.outputNames[0] as string]?.data as Float32Array;
    const classes = data.length / vectors.length;
    return vectors.map((_, i) => Array.from(data.subarray(i * classes, (i + 1) * classes)));
  } finally {
    await session.release();
  }
}

export function argmax(row: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/** Largest absolute difference between two equally shaped probability tables. */
export function maxAbsDiff(a: readonly number[][], b: readonly number[][]): number {
  let worst = 0;
  a.forEach((row, i) => {
    row.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - (b[i]?.[j] ?? Number.NaN)));
    });
  });
  return worst;
}

export const IN_CI = process.env.CI === 'true';

/** The random and the threshold segmentation fixtures (web-demo's scripts/make-test-segmenters.mjs). */
export const TEST_SEGMENTER = fileURLToPath(new URL('../fixtures/test-segmenter.onnx', import.meta.url));
/** TEST_SEGMENTER with symbolic D, H, W (scripts/make-free-size-model.py). */
export const FREE_SIZE_SEGMENTER = fileURLToPath(
  new URL('../fixtures/test-segmenter-free.onnx', import.meta.url),
);
export const THRESHOLD_SEGMENTER = fileURLToPath(
  new URL('../fixtures/threshold-segmenter.onnx', import.meta.url),
);

/** The reference segmenter: core's sliding windows over onnxruntime-node's CPU provider. */
export function referenceSegmenter(modelPath = TEST_SEGMENTER): Promise<Segmenter<'cpu'>> {
  return openSegmenter({
    bytes: new Uint8Array(readFileSync(modelPath)),
    source: modelPath,
    providers: ['cpu'],
    open: async (bytes): Promise<SessionHandler> => {
      const session = await ortNode.InferenceSession.create(bytes);
      return {
        inputs: session.inputMetadata,
        outputs: session.outputMetadata,
        async run(input, outputName) {
          const out = await session.run({
            [input.name]: new ortNode.Tensor('float32', input.data, [...input.dims]),
          });
          const data = out[outputName]?.data;
          if (!(data instanceof Float32Array)) throw new Error(`no float32 '${outputName}'`);
          return data.slice();
        },
        release: () => session.release(),
      };
    },
  });
}

/** A seeded one-channel volume: smooth waves in [0, 1] plus a little noise, so every class of the fixtures appears. */
export function waveVolume(dims: readonly [number, number, number], seed: number): Volume {
  const next = mulberry32(seed);
  const [d, h, w] = dims;
  const data = new Float32Array(d * h * w);
  for (let z = 0, i = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, i++) {
        data[i] = 0.5 + 0.45 * Math.sin(x / 3) * Math.cos(y / 4 + z / 5) + 0.05 * (next() - 0.5);
      }
  return { data, dims };
}

/** Largest absolute difference between two equally long arrays. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}
