// onnxruntime-web sessions for the model lifecycles of @conv3d/core: the narrow SessionHandler per provider that
// the classifier (web-classifier.ts) and the segmenter (web-segmenter.ts) both open models through.
import {
  contractFromMetadata,
  firstLine,
  type OpenModelOptions,
  readOnnxMetadata,
  type SessionHandler,
} from '@conv3d/core';
import type * as Ort from 'onnxruntime-web/webgpu';
import { type ModelSource, readModel } from './model-source.js';
import { candidateProviders, checkDevice, type WebDevice, type WebProvider } from './providers.js';

export interface WebLoadOptions {
  /** 'auto' (default): WebGPU when an adapter exists, else wasm. 'webgpu' fails when there is none. */
  device?: WebDevice;
  /**
   * URL prefix (ending in '/') where onnxruntime-web's runtime files are hosted: `ort-wasm-simd-threaded.{mjs,wasm}`
   * (wasm) and `ort-wasm-simd-threaded.asyncify.{mjs,wasm}` (WebGPU). Applies to the first load of each provider
   * in a page: onnxruntime initialises its wasm once.
   */
  wasmPaths?: string;
  /** wasm threads; defaults to 1 (threads need cross-origin isolation and gain nothing on small models). */
  numThreads?: number;
}

/**
 * Reads the model and returns what core's openModel needs: the adapter probe, onnxruntime's module load and the
 * model download overlap.
 */
export async function webModelOptions(
  model: ModelSource,
  options: WebLoadOptions,
): Promise<OpenModelOptions<WebProvider>> {
  const device = options.device ?? 'auto';
  checkDevice(device);
  const providersReady = candidateProviders(device);
  providersReady.catch(() => undefined);
  providersReady.then((p) => runtime(p[0] ?? 'wasm', options)).catch(() => undefined);
  const { bytes, name } = await readModel(model);
  return {
    bytes,
    source: name,
    providers: () => providersReady,
    open: (modelBytes, provider) => openWebSession(modelBytes, provider, options),
  };
}

type OrtModule = typeof Ort;

// Each provider gets the smallest onnxruntime-web build that has it: the WebGPU build needs the 27 MB asyncify
// wasm, the plain wasm build a 14 MB one that compiles in half the time. Loaded on first use only.
function runtime(provider: WebProvider, options: WebLoadOptions): Promise<OrtModule> {
  const loading: Promise<OrtModule> =
    provider === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm');
  return loading.then((ort) => {
    if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
    ort.env.wasm.numThreads = options.numThreads ?? 1;
    return ort;
  });
}

async function openWebSession(
  bytes: Uint8Array,
  provider: WebProvider,
  options: WebLoadOptions,
): Promise<SessionHandler> {
  let ort: OrtModule;
  let session: Ort.InferenceSession;
  try {
    ort = await runtime(provider, options);
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new Error(`onnxruntime-web cannot create a ${provider} session: ${firstLine(error)}`);
  }
  if (provider === 'webgpu') await tryOnce(ort, session, bytes);
  return {
    inputs: session.inputMetadata,
    outputs: session.outputMetadata,
    async run(input, outputName) {
      await yieldToEvents();
      const results = await session.run({
        [input.name]: new ort.Tensor('float32', input.data, [...input.dims]),
      });
      const output = results[outputName];
      if (output === undefined) throw new Error(`the model returned no float32 '${outputName}'`);
      try {
        if (!(output.data instanceof Float32Array)) {
          throw new Error(`the model returned no float32 '${outputName}'`);
        }
        // A copy: the tensor's memory (a GPU download on WebGPU) is freed below.
        return output.data.slice();
      } finally {
        output.dispose();
      }
    },
    release: () => session.release(),
  };
}

/**
 * Runs one zero sample of the contract's input shape. The WebGPU EP accepts nodes at session creation that it then
 * fails to run (3D ConvTranspose: "Only Conv2d or Conv1d are supported", onnxruntime#28356, with no CPU fallback),
 * so a model is only WebGPU's once it has run there; otherwise the session is released and the next provider
 * (wasm, for 'auto') opens it. The run also compiles the shaders the first real run would have waited for.
 */
async function tryOnce(ort: OrtModule, session: Ort.InferenceSession, bytes: Uint8Array): Promise<void> {
  const contract = contractFromMetadata(readOnnxMetadata(bytes, 'model'), 'model');
  const dims = [1, ...contract.inputShape];
  const input = new ort.Tensor('float32', new Float32Array(contract.inputSize), dims);
  try {
    const outputs = await session.run({ [session.inputNames[0] as string]: input });
    for (const output of Object.values(outputs)) output.dispose();
  } catch (error) {
    await session.release();
    throw new Error(`onnxruntime-web's webgpu provider cannot run the model: ${firstLine(error)}`);
  }
}

/**
 * Lets queued events run before a model run. onnxruntime-web's run resolves without ever leaving the task, so a
 * whole sliding-window scan would be one task: a worker would never see an abort message before the end.
 */
function yieldToEvents(): Promise<void> {
  const { scheduler } = globalThis as { scheduler?: { yield?: () => Promise<void> } };
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}
