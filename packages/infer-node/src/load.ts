import { readFile } from 'node:fs/promises';
import {
  type CheckedModel,
  type Classifier,
  type ClassifierInput,
  checkModel,
  decodePredictions,
  type Prediction,
  prepareInput,
  readOnnxMetadata,
} from '@conv3d/data/classifier';
import { contractFromMetadata, type ModelContract, SAMPLE_SHAPE } from '@conv3d/data/contract';
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { BufferPool } from './buffer-pool.js';
import { loadPool } from './pool/classifier.js';
import { type NodeLoadOptions, poolSettings } from './pool/options.js';
import { type NodeProvider, openSession } from './session.js';

export type NodeClassifier = Classifier<NodeProvider>;

/**
 * Loads an ONNX model exported by @conv3d/export-onnx from a file path or its bytes, checks its contract
 * (metadata, input and output) and opens it on `device` ('auto' by default: CUDA when its libraries load, else CPU).
 * With `workers: N` the sessions run in N worker threads (see pool/).
 */
export async function load(
  pathOrBytes: string | Uint8Array | ArrayBuffer,
  options: NodeLoadOptions = {},
): Promise<NodeClassifier> {
  const settings = poolSettings(options);
  if (settings.workers > 0) {
    const model = pathOrBytes instanceof ArrayBuffer ? new Uint8Array(pathOrBytes) : pathOrBytes;
    return loadPool(model, options, settings);
  }
  const source = typeof pathOrBytes === 'string' ? pathOrBytes : 'model bytes';
  const bytes = await modelBytes(pathOrBytes);
  // Checked before onnxruntime sees the model: a foreign file fails here with a contract message.
  const metadata = readOnnxMetadata(bytes, source);
  contractFromMetadata(metadata, source);
  const { session, provider } = await openSession(bytes, options.device ?? 'auto', source);
  try {
    const checked = checkModel(metadata, session.inputMetadata, session.outputMetadata, source);
    return new OrtClassifier(session, provider, checked);
  } catch (error) {
    await session.release();
    throw error;
  }
}

async function modelBytes(pathOrBytes: string | Uint8Array | ArrayBuffer): Promise<Uint8Array> {
  if (pathOrBytes instanceof Uint8Array) return pathOrBytes;
  if (pathOrBytes instanceof ArrayBuffer) return new Uint8Array(pathOrBytes);
  if (typeof pathOrBytes !== 'string') {
    throw new TypeError('load: expected a model file path, a Uint8Array or an ArrayBuffer');
  }
  try {
    return await readFile(pathOrBytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(code);
    throw new Error(`${pathOrBytes}: cannot read the model: ${why}`);
  }
}

class OrtClassifier implements NodeClassifier {
  readonly contract: ModelContract;
  readonly #inputName: string;
  readonly #outputName: string;
  readonly #running = new Set<Promise<unknown>>();
  readonly #buffers = new BufferPool();
  #session: InferenceSession | undefined;

  constructor(
    session: InferenceSession,
    readonly provider: NodeProvider,
    checked: CheckedModel,
  ) {
    this.#session = session;
    this.contract = checked.contract;
    this.#inputName = checked.inputName;
    this.#outputName = checked.outputName;
  }

  async predict(input: ClassifierInput): Promise<Prediction[]> {
    const session = this.#session;
    if (session === undefined) throw new Error('predict: the classifier has been disposed');
    let lent: Float32Array | undefined;
    const { data, count } = prepareInput(input, this.contract, (length) => {
      lent = this.#buffers.take(length);
      return lent;
    });
    const run = session.run({ [this.#inputName]: new Tensor('float32', data, [count, ...SAMPLE_SHAPE]) });
    this.#running.add(run);
    try {
      const output = (await run)[this.#outputName];
      if (output === undefined || !(output.data instanceof Float32Array)) {
        throw new Error(`predict: the model returned no float32 '${this.#outputName}'`);
      }
      return decodePredictions(output.data, count, this.contract);
    } finally {
      this.#running.delete(run);
      // onnxruntime-node runs synchronously once the promise settles: the input is free again.
      if (lent !== undefined) this.#buffers.give(lent);
    }
  }

  /** Waits for predictions in flight, then frees the native session. Calling it again does nothing. */
  async dispose(): Promise<void> {
    const session = this.#session;
    if (session === undefined) return;
    this.#session = undefined;
    await Promise.allSettled(this.#running);
    this.#buffers.clear();
    await session.release();
  }
}
