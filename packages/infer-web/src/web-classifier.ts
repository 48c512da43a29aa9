// The browser classifier: the shared core (@conv3d/data/classifier) on onnxruntime-web (WebGPU or wasm build).
import {
  type Classifier,
  type ClassifierInput,
  checkModel,
  decodePredictions,
  type Prediction,
  prepareInput,
  readOnnxMetadata,
  type WebDevice,
} from '@conv3d/data/classifier';
import type { ModelContract } from '@conv3d/data/contract';
import type * as Ort from 'onnxruntime-web/webgpu';
import { type ModelSource, readModel } from './model-source.js';
import { candidateProviders, type WebProvider } from './providers.js';

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

export type WebClassifier = Classifier<WebProvider>;

/** Loads an exported conv3d ONNX model from a URL or bytes and checks its contract. */
export async function load(model: ModelSource, options: WebLoadOptions = {}): Promise<WebClassifier> {
  const device = options.device ?? 'auto';
  if (device !== 'auto' && device !== 'webgpu' && device !== 'wasm') {
    throw new Error(`load: unknown device '${String(device)}'; expected 'auto', 'webgpu' or 'wasm'`);
  }
  // The model download, the adapter probe and onnxruntime's module load overlap.
  const providersReady = candidateProviders(device);
  const firstRuntime = providersReady.then((p) => runtime(p[0] ?? 'wasm', options));
  firstRuntime.catch(() => undefined);
  const { bytes, name } = await readModel(model);
  const metadata = readOnnxMetadata(bytes, name);
  const providers = await providersReady;
  let lastError: unknown;
  for (const provider of providers) {
    let ort: OrtModule;
    let session: Ort.InferenceSession;
    try {
      ort = await runtime(provider, options);
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      lastError = err;
      continue;
    }
    try {
      const checked = checkModel(metadata, session.inputMetadata, session.outputMetadata, name);
      return new OrtWebClassifier(
        ort,
        session,
        provider,
        checked.contract,
        checked.inputName,
        checked.outputName,
      );
    } catch (err) {
      await session.release();
      throw err;
    }
  }
  const why = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`${name}: onnxruntime-web could not create a session on ${providers.join(' or ')}: ${why}`);
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

class OrtWebClassifier implements WebClassifier {
  // onnxruntime-web runs one inference at a time per session: concurrent predict calls queue here.
  private queue: Promise<unknown> = Promise.resolve();
  private session: Ort.InferenceSession | null;

  constructor(
    private readonly ort: OrtModule,
    session: Ort.InferenceSession,
    readonly provider: WebProvider,
    readonly contract: ModelContract,
    private readonly inputName: string,
    private readonly outputName: string,
  ) {
    this.session = session;
  }

  predict(input: ClassifierInput): Promise<Prediction[]> {
    const run = this.queue.then(() => this.run(input));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(input: ClassifierInput): Promise<Prediction[]> {
    const session = this.session;
    if (session === null) throw new Error('predict: this classifier has been disposed');
    const { data, count } = prepareInput(input, this.contract);
    const feed = new this.ort.Tensor('float32', data, [count, ...this.contract.inputShape]);
    const results = await session.run({ [this.inputName]: feed });
    const output = results[this.outputName];
    if (output === undefined) throw new Error(`predict: the model returned no '${this.outputName}' output`);
    try {
      return decodePredictions(output.data as Float32Array, count, this.contract);
    } finally {
      output.dispose();
    }
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = null;
    await this.queue;
    await session?.release();
  }
}
