// The model lifecycle shared by every runtime, as onnxruntime-common's InferenceSession sits over its backend
// handlers: contract checks at load, provider fallback, one run at a time per session, pooled input buffers and
// dispose. Classifiers (here) and segmenters (segment/segmenter.ts) both open through openModel and run through a
// ModelSession. A runtime package supplies only a SessionHandler per provider (infer-node: onnxruntime-node,
// infer-web: onnxruntime-web).
import { BufferPool } from './buffer-pool.js';
import { type CheckedModel, checkModel, type ValueInfo } from './check-model.js';
import { ContractError, contractFromMetadata, METADATA_KEYS, type ModelContract } from './contract.js';
import { decodePredictions, type Prediction } from './decode.js';
import { type ClassifierInput, toModelInput, validateInput } from './input.js';
import { readOnnxMetadata } from './onnx-metadata.js';
import type { Task } from './task.js';

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

export interface OpenModelOptions<P extends string> {
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

export type OpenClassifierOptions<P extends string> = OpenModelOptions<P>;

/** What each task's API is called, for errors: the method, the object, and how to open one. */
const API: Record<Task, { method: string; noun: string }> = {
  classify: { method: 'predict', noun: 'classifier' },
  segment: { method: 'segment', noun: 'segmenter' },
};

/** The rejection of a call on a disposed session ('predict: the classifier has been disposed'). */
export function disposedMessage(task: Task): string {
  return `${API[task].method}: the ${API[task].noun} has been disposed`;
}

export const DISPOSED_MESSAGE = disposedMessage('classify');

/** A model opened for its task: the provider that runs it, its handler, and its graph checked against the contract. */
export interface OpenedModel<P extends string> {
  handler: SessionHandler;
  provider: P;
  checked: CheckedModel;
}

/**
 * Reads and checks the model's contract (before any runtime sees the bytes), refuses a model made for another task,
 * opens a session on the first provider that works, and checks the graph against the contract. When every provider
 * fails, the one-line error names each provider's failure.
 */
export async function openModel<P extends string>(
  options: OpenModelOptions<P>,
  task: Task,
): Promise<OpenedModel<P>> {
  const { bytes, source, open } = options;
  const metadata = readOnnxMetadata(bytes, source);
  const contract = contractFromMetadata(metadata, source);
  if (contract.task !== task) {
    const { noun } = API[contract.task];
    throw new ContractError(
      `${source}: is a ${noun} ('${METADATA_KEYS.task}' is '${contract.task}'), not a ${API[task].noun}; open it as a ${noun}`,
    );
  }
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
      return { handler, provider, checked: checkModel(metadata, handler.inputs, handler.outputs, source) };
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

/**
 * One open session and its queue: runtimes run one inference at a time per session (onnxruntime-web requires it;
 * onnxruntime-node runs on the calling thread anyway), so calls queue here, in order, and every runtime behaves
 * alike. dispose lets the queued calls finish, then releases the session.
 */
export class ModelSession<P extends string> {
  readonly contract: ModelContract;
  readonly provider: P;
  protected readonly inputName: string;
  protected readonly outputName: string;
  readonly #task: Task;
  #handler: SessionHandler | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #onDispose: () => void;

  constructor(opened: OpenedModel<P>, onDispose: () => void = () => undefined) {
    this.#handler = opened.handler;
    this.provider = opened.provider;
    this.contract = opened.checked.contract;
    this.inputName = opened.checked.inputName;
    this.outputName = opened.checked.outputName;
    this.#task = this.contract.task;
    this.#onDispose = onDispose;
  }

  /**
   * Queues `job` behind the calls before it. `check` runs now, so a bad input rejects without waiting; a disposed
   * session rejects every call.
   */
  protected enqueue<V, T>(
    check: () => V,
    job: (handler: SessionHandler, checked: V) => Promise<T>,
  ): Promise<T> {
    const handler = this.#handler;
    if (handler === undefined) return Promise.reject(new Error(disposedMessage(this.#task)));
    let checked: V;
    try {
      checked = check();
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.#queue.then(() => job(handler, checked));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    const handler = this.#handler;
    if (handler === undefined) return;
    this.#handler = undefined;
    await this.#queue;
    this.#onDispose();
    await handler.release();
  }
}

/** Opens a classifier: see openModel. A segmenter's file fails with one line saying so. */
export async function openClassifier<P extends string>(
  options: OpenClassifierOptions<P>,
): Promise<Classifier<P>> {
  return new SessionClassifier(await openModel(options, 'classify'));
}

class SessionClassifier<P extends string> extends ModelSession<P> implements Classifier<P> {
  readonly #buffers: BufferPool;

  constructor(opened: OpenedModel<P>) {
    const buffers = new BufferPool();
    super(opened, () => buffers.clear());
    this.#buffers = buffers;
  }

  predict(input: ClassifierInput): Promise<Prediction[]> {
    return this.enqueue(
      () => validateInput(input, this.contract),
      async (handler, validated) => {
        let lent: Float32Array | undefined;
        const { data, count } = toModelInput(validated, this.contract, (length) => {
          lent = this.#buffers.take(length);
          return lent;
        });
        try {
          const dims = [count, ...this.contract.inputShape];
          const output = await handler.run({ name: this.inputName, data, dims }, this.outputName);
          return decodePredictions(output, count, this.contract);
        } finally {
          // The run has completed: the runtime no longer reads the input.
          if (lent !== undefined) this.#buffers.give(lent);
        }
      },
    );
  }
}
