// Every runtime the project promises parity on, each behind the same small interface: raw vectors in, class
// probabilities out. Raw vectors go in everywhere so that the shared preprocessing is covered on each runtime.
import { contractFromMetadata, preprocessBatch, readOnnxMetadata } from '@conv3d/core';
import { load as loadNode } from '@conv3d/infer-node';
import { load as loadWeb } from '@conv3d/infer-web';
import { loadModelFromDir, selectBackend } from '@conv3d/train';
import { BrowserUnavailableError, startBrowserHarness } from '@conv3d/web-demo/harness';
import * as tf from '@tensorflow/tfjs';
import type { RuntimeResult } from './compare.js';

export interface ParityInputs {
  /** Raw vectors, one per sample. */
  vectors: Float64Array[];
  /** The trained tfjs run folder (model.json + weights.bin). */
  runDir: string;
  /** The same model exported to ONNX. */
  onnxPath: string;
  onnxBytes: Uint8Array;
}

export interface Runtime {
  name: string;
  gpu: boolean;
  run(inputs: ParityInputs): Promise<Float32Array[]>;
}

/** Thrown by a runtime that is absent on this machine (reported as "not available", never as a pass). */
export class RuntimeUnavailable extends Error {}

function flatten(vectors: readonly Float64Array[]): Float64Array {
  const flat = new Float64Array(vectors.reduce((n, v) => n + v.length, 0));
  let o = 0;
  for (const v of vectors) {
    flat.set(v, o);
    o += v.length;
  }
  return flat;
}

function rows(data: Float32Array, classes: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < data.length; i += classes) out.push(data.slice(i, i + classes));
  return out;
}

async function tfjsPredict(backend: 'cpu' | 'fast-cpu', inputs: ParityInputs): Promise<Float32Array[]> {
  const choice = await selectBackend(backend);
  if (backend === 'fast-cpu' && choice.name !== 'fast-cpu')
    throw new Error(`fast-cpu resolved to ${choice.name}`);
  const model = await loadModelFromDir(inputs.runDir);
  try {
    const n = inputs.vectors.length;
    // The exported model's contract says how raw vectors become the graph's input, as it does for every runtime.
    const contract = contractFromMetadata(
      readOnnxMetadata(inputs.onnxBytes, inputs.onnxPath),
      inputs.onnxPath,
    );
    const x = tf.tensor(preprocessBatch(contract, flatten(inputs.vectors), n), [n, ...contract.inputShape]);
    const y = model.predict(x) as tf.Tensor;
    const data = (await y.data()) as Float32Array;
    const classes = y.shape[1] as number;
    tf.dispose([x, y]);
    return rows(data, classes);
  } finally {
    model.dispose();
  }
}

async function classifierPredict(
  classifier: {
    predict(x: Float64Array[]): Promise<{ probabilities: Float32Array }[]>;
    dispose(): Promise<void>;
  },
  inputs: ParityInputs,
): Promise<Float32Array[]> {
  try {
    return (await classifier.predict(inputs.vectors)).map((p) => p.probabilities);
  } finally {
    await classifier.dispose();
  }
}

async function browserPredict(webgpu: boolean, inputs: ParityInputs): Promise<Float32Array[]> {
  let harness: Awaited<ReturnType<typeof startBrowserHarness>>;
  try {
    harness = await startBrowserHarness({ modelPath: inputs.onnxPath, webgpu });
  } catch (error) {
    if (error instanceof BrowserUnavailableError) throw new RuntimeUnavailable(error.message);
    throw error;
  }
  try {
    if (webgpu) {
      const why = await harness.webgpuUnavailableReason();
      if (why !== null) throw new RuntimeUnavailable(why);
    }
    const device = webgpu ? 'webgpu' : 'wasm';
    const result = await harness.classify(
      inputs.vectors.map((v) => Array.from(v)),
      device,
    );
    if (result.provider !== device) throw new Error(`Chromium ran ${result.provider}, not ${device}`);
    return result.probabilities.map((p) => Float32Array.from(p));
  } finally {
    await harness.close();
  }
}

/** The reference runtime first: every other one is compared with it (and with each other). */
export const RUNTIMES: readonly Runtime[] = [
  { name: 'tfjs cpu (reference)', gpu: false, run: (i) => tfjsPredict('cpu', i) },
  { name: 'tfjs fast CPU path', gpu: false, run: (i) => tfjsPredict('fast-cpu', i) },
  {
    name: 'infer-node cpu',
    gpu: false,
    run: async (i) => {
      const c = await loadNode(i.onnxBytes, { device: 'cpu' });
      if (c.provider !== 'cpu') throw new Error(`provider is ${c.provider}`);
      return classifierPredict(c, i);
    },
  },
  {
    name: 'infer-node cuda',
    gpu: true,
    run: async (i) => {
      let c: Awaited<ReturnType<typeof loadNode>>;
      try {
        c = await loadNode(i.onnxBytes, { device: 'cuda' });
      } catch (error) {
        throw new RuntimeUnavailable((error as Error).message);
      }
      return classifierPredict(c, i);
    },
  },
  {
    name: 'infer-web wasm (Node)',
    gpu: false,
    run: async (i) => {
      const c = await loadWeb(i.onnxBytes, { device: 'wasm' });
      if (c.provider !== 'wasm') throw new Error(`provider is ${c.provider}`);
      return classifierPredict(c, i);
    },
  },
  { name: 'infer-web wasm (Chromium)', gpu: false, run: (i) => browserPredict(false, i) },
  { name: 'infer-web webgpu (Chromium)', gpu: true, run: (i) => browserPredict(true, i) },
];

/** Runtimes that may be absent locally but must run in CI, where Chromium is installed (CUDA may be absent anywhere). */
const REQUIRED_IN_CI = new Set(['infer-web wasm (Chromium)', 'infer-web webgpu (Chromium)']);

/**
 * Whether `result` ran. A runtime that is not available here is a warning, or under CI=true a failure for the
 * runtimes CI must have.
 */
export function ranHere(result: RuntimeResult): boolean {
  if (result.unavailable === null) return true;
  if (process.env.CI === 'true' && REQUIRED_IN_CI.has(result.runtime)) {
    throw new Error(`${result.runtime} is required under CI=true: ${result.unavailable}`);
  }
  console.warn(`${result.runtime}: not available (${result.unavailable})`);
  return false;
}

/** Runs one runtime; absence becomes a "not available" result, any other failure propagates. */
export async function runRuntime(runtime: Runtime, inputs: ParityInputs): Promise<RuntimeResult> {
  try {
    const probabilities = await runtime.run(inputs);
    return { runtime: runtime.name, unavailable: null, probabilities, gpu: runtime.gpu };
  } catch (error) {
    if (!(error instanceof RuntimeUnavailable)) throw error;
    const reason = error.message.split('\n')[0] ?? 'unavailable';
    return { runtime: runtime.name, unavailable: reason, probabilities: [], gpu: runtime.gpu };
  }
}
