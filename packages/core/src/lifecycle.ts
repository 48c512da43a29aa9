// The classifier lifecycle shared by every runtime, as onnxruntime-common's InferenceSession sits over its backend
// handlers: contract checks at load, provider fallback, one run at a time per session, pooled input buffers and
// dispose. A runtime package supplies only a SessionHandler per provider (infer-node: onnxruntime-node, infer-web:
// onnxruntime-web).
import { BufferPool } from './buffer-pool.js';
import { type CheckedModel, checkModel, type ValueInfo } from './check-model.js';
import { contractFromMetadata, type ModelContract } from './contract.js';
import { decodePredictions, type Prediction } from './decode.js';
import { type ClassifierInput, toModelInput, validateInput } from './input.js';
import { readOnnxMetadata } from './onnx-metadata.js';

/** One open inference session of a runtime: the narrow interface the lifecycle drives. */
export interface SessionHandler {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Runs the graph on one float32 input; resolves to a copy of output `outputName`'s values. */
  run(
    input: { name: string; data: Float32Array; dims: readonly number[] },
    outputName: string,
  ): Promise<Float32Array>;
  release(): Promise<void>;
}

/** Opens a session for `provider`; rejects with a one-line reason when that provider cannot run the model. */
export type OpenSession<P extends string> = (bytes: Uint8Array, provider: P) => Promise<SessionHandler>;

export interface Classifier<P extends string = string> {
  /** The execution provider that actually runs the model. */
  readonly provider: P;
  /** The contract read from the model's metadata. */
  readonly contract: ModelContract;
  /** Classifies one sample or a batch; one prediction per sample, in input order. */
  predict(input: ClassifierInput): Promise<Prediction[]>;
  /** Waits for the predictions already asked for, then frees the session; later predict calls reject. */
  dispose(): Promise<void>;
}

export interface OpenClassifierOptions<P extends string> {
  bytes: Uint8Array;
  /** Names the model in errors (a path, a URL or 'model bytes'). */
  source: string;
  /**
   * Providers to try, in order: the first that opens runs the model. A function is called after the contract
   * check, so a foreign file fails as such before any device question (a probe, a missing GPU library) is asked.
   */
  providers: readonly P[] | (() => readonly P[] | Promise<readonly P[]>);
  open: OpenSession<P>;
}

export const DISPOSED_MESSAGE = 'predict: the classifier has been disposed';

/**
 * Reads and checks the model's contract (before any runtime sees the bytes), opens a session on the first provider
 * that works, and checks the graph against the contract. When every provider fails, the one-line error names each
 * provider's failure.
 */
export async function openClassifier<P extends string>(
  options: OpenClassifierOptions<P>,
): Promise<Classifier<P>> {
  const { bytes, source, open } = options;
  const metadata = readOnnxMetadata(bytes, source);
  contractFromMetadata(metadata, source);
  const providers = typeof options.providers === 'function' ? await options.providers() : options.providers;
  if (providers.length === 0) throw new Error(`${source}: no execution provider to try`);
  const failures: { provider: P; reason: string }[] = [];
  for (const provider of providers) {
    let handler: SessionHandler;
    try {
      handler = await open(bytes, provider);
    } catch (error) {
      failures.push({ provider, reason: firstLine(error) });
      continue;
    }
    try {
      return new SessionClassifier(
        handler,
        provider,
        checkModel(metadata, handler.inputs, handler.outputs, source),
      );
    } catch (error) {
      await handler.release();
      throw error;
    }
  }
  const [only] = failures;
  if (failures.length === 1 && only !== undefined) throw new Error(`${source}: ${only.reason}`);
  const reasons = failures.map((f) => `${f.provider}: ${f.reason}`).join('; ');
  throw new Error(`${source}: no execution provider could run the model: ${reasons}`);
}

/** The first line of an error's message, trimmed: runtimes' errors often span several. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]?.trim() ?? '';
}

class SessionClassifier<P extends string> implements Classifier<P> {
  readonly contract: ModelContract;
  readonly #inputName: string;
  readonly #outputName: string;
  readonly #buffers = new BufferPool();
  #handler: SessionHandler | undefined;
  // Runtimes run one inference at a time per session (onnxruntime-web requires it; onnxruntime-node runs on the
  // calling thread anyway): calls queue here, in order, so every runtime behaves alike.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    handler: SessionHandler,
    readonly provider: P,
    checked: CheckedModel,
  ) {
    this.#handler = handler;
    this.contract = checked.contract;
    this.#inputName = checked.inputName;
    this.#outputName = checked.outputName;
  }

  predict(input: ClassifierInput): Promise<Prediction[]> {
    const handler = this.#handler;
    if (handler === undefined) return Promise.reject(new Error(DISPOSED_MESSAGE));
    let validated: ReturnType<typeof validateInput>;
    try {
      // Validated now: a bad input rejects without waiting for the calls before it.
      validated = validateInput(input, this.contract);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.#queue.then(async () => {
      let lent: Float32Array | undefined;
      const { data, count } = toModelInput(validated, this.contract, (length) => {
        lent = this.#buffers.take(length);
        return lent;
      });
      try {
        const dims = [count, ...this.contract.inputShape];
        const output = await handler.run({ name: this.#inputName, data, dims }, this.#outputName);
        return decodePredictions(output, count, this.contract);
      } finally {
        // The run has completed: the runtime no longer reads the input.
        if (lent !== undefined) this.#buffers.give(lent);
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    const handler = this.#handler;
    if (handler === undefined) return;
    this.#handler = undefined;
    await this.#queue;
    this.#buffers.clear();
    await handler.release();
  }
}
