// One file per run holding everything needed to continue after a kill: model weights, the full Adam state and
// the loop's own state. One file, written atomically, so a kill mid-write leaves the previous epoch's intact.
//
// Layout: "C3DCKPT1", uint32 LE header length, JSON header, zero padding to 4 bytes, then the tensors' bytes.
import { existsSync, readFileSync } from 'node:fs';
import { isDiskFull, writeFileAtomic } from '@conv3d/core/node';
import * as tf from '@tensorflow/tfjs';
import type { CallbackState } from './callbacks/runner.js';
import type { History } from './history.js';

const MAGIC = 'C3DCKPT1';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** The loop's state after a complete epoch. Shuffles and dropout masks derive from (seed, epoch, step). */
export interface LoopState {
  /** What must be equal for a resume to continue the same run (config, seed, data, limits). */
  fingerprint: string;
  epochsDone: number;
  history: History;
  epochSeconds: number[];
  /** The callbacks' decisions so far (absent when none are configured). */
  callbacks?: CallbackState;
  /** Weights the callbacks keep (best epoch, early stopping); stored beside the tensors, not in the header. */
  arrays?: SavedArray[];
}

/** A float32 array kept outside tfjs (so it needs no disposing), e.g. a callback's copy of a weight. */
export interface SavedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

interface TensorEntry {
  group: 'model' | 'optimizer' | 'adam' | 'arrays';
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
}

interface Header {
  state: LoopState;
  tensors: TensorEntry[];
}

interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/**
 * tfjs's Adam.setWeights recomputes beta1^t and beta2^t with pow(), while training accumulates them by repeated
 * float32 products; at many step counts the two differ in the last bit, which would make a resumed run drift from an uninterrupted
 * one. The accumulators are private fields, so they are saved and restored directly.
 */
function betaPowers(optimizer: tf.Optimizer): { accBeta1: tf.Variable; accBeta2: tf.Variable } {
  const adam = optimizer as unknown as { accBeta1?: unknown; accBeta2?: unknown };
  if (!(adam.accBeta1 instanceof tf.Variable) || !(adam.accBeta2 instanceof tf.Variable)) {
    throw new CheckpointError(
      `checkpoints support tfjs's Adam optimizer only, got ${optimizer.getClassName()}`,
    );
  }
  return { accBeta1: adam.accBeta1, accBeta2: adam.accBeta2 };
}

export async function saveCheckpoint(file: string, model: tf.LayersModel, state: LoopState): Promise<void> {
  const optimizer = model.optimizer;
  const { accBeta1, accBeta2 } = betaPowers(optimizer);
  const named: Array<NamedTensor & { group: TensorEntry['group'] }> = [
    ...model.weights.map((w) => ({ group: 'model' as const, name: w.originalName, tensor: w.read() })),
    ...(await optimizer.getWeights()).map((w) => ({ group: 'optimizer' as const, ...w })),
    { group: 'adam', name: 'accBeta1', tensor: accBeta1 },
    { group: 'adam', name: 'accBeta2', tensor: accBeta2 },
  ];
  const tensors: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const { arrays = [], ...json } = state;
  for (const { name, shape, values } of arrays) {
    tensors.push({ group: 'arrays', name, shape, dtype: 'float32', offset });
    chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    offset += values.byteLength;
  }
  for (const { group, name, tensor } of named) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const values =
      tensor.dtype === 'int32'
        ? Int32Array.from(await tensor.data())
        : Float32Array.from(await tensor.data());
    tensors.push({ group, name, shape: tensor.shape, dtype, offset });
    chunks.push(new Uint8Array(values.buffer));
    offset += values.byteLength;
  }
  const header = Buffer.from(JSON.stringify({ state: json, tensors } satisfies Header), 'utf8');
  const headerEnd = MAGIC.length + 4 + header.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const out = Buffer.alloc(dataStart + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, MAGIC.length);
  header.copy(out, MAGIC.length + 4);
  let at = dataStart;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    writeFileAtomic(file, out);
  } catch (error) {
    // The atomic write removed its temporary file; the message says so in the checkpoint's terms, since the user's
    // next question is whether the last good checkpoint survived.
    if (isDiskFull(error)) {
      throw new CheckpointError(
        `${file}: disk full while writing the checkpoint; nothing half-written was left and the previous checkpoint is intact`,
      );
    }
    throw error;
  }
  // getWeights() hands out the optimizer's live variables plus one fresh scalar for the step count.
  for (const { group, name, tensor } of named) if (group === 'optimizer' && name === 'iter') tensor.dispose();
}

interface LoadedCheckpoint {
  state: LoopState;
  tensors: Map<TensorEntry['group'], NamedTensor[]>;
}

function readCheckpoint(file: string): LoadedCheckpoint {
  const bytes = readFileSync(file);
  if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new CheckpointError(`${file}: not a conv3d-train checkpoint`);
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerEnd = MAGIC.length + 4 + headerLength;
  if (headerEnd > bytes.length) throw new CheckpointError(`${file}: truncated checkpoint header`);
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, headerEnd)) as Header;
  } catch {
    throw new CheckpointError(`${file}: corrupt checkpoint header`);
  }
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  // Every entry is bounds-checked before any tensor exists, so a truncated file leaves nothing allocated.
  for (const entry of header.tensors) {
    const end = dataStart + entry.offset + entry.shape.reduce((a, b) => a * b, 1) * 4;
    if (end > bytes.length) throw new CheckpointError(`${file}: truncated at tensor '${entry.name}'`);
  }
  const tensors = new Map<TensorEntry['group'], NamedTensor[]>();
  for (const entry of header.tensors) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const begin = dataStart + entry.offset;
    const copy = bytes.buffer.slice(bytes.byteOffset + begin, bytes.byteOffset + begin + size * 4);
    const values = entry.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    if (entry.group === 'arrays') {
      header.state.arrays ??= [];
      header.state.arrays.push({ name: entry.name, shape: entry.shape, values: values as Float32Array });
      continue;
    }
    const list = tensors.get(entry.group) ?? [];
    list.push({ name: entry.name, tensor: tf.tensor(values, entry.shape, entry.dtype) });
    tensors.set(entry.group, list);
  }
  return { state: header.state, tensors };
}

export function checkpointExists(file: string): boolean {
  return existsSync(file);
}

/**
 * Restores weights and optimizer state into a freshly built, compiled `model` and returns the loop state.
 * Refuses a checkpoint made for another run (different fingerprint) with a one-line CheckpointError.
 */
export async function restoreCheckpoint(
  file: string,
  model: tf.LayersModel,
  fingerprint: string,
): Promise<LoopState> {
  const { state, tensors } = readCheckpoint(file);
  try {
    if (state.fingerprint !== fingerprint) {
      throw new CheckpointError(
        `${file}: made by a run with other settings (config, seed, data, limit or batch size); start without --resume or use another --out`,
      );
    }
    const weights = tensors.get('model') ?? [];
    const expected = model.weights;
    if (weights.length !== expected.length) {
      throw new CheckpointError(`${file}: holds ${weights.length} weights, the model has ${expected.length}`);
    }
    weights.forEach((w, i) => {
      const shape = expected[i]?.shape ?? [];
      if (w.tensor.shape.join() !== shape.join()) {
        throw new CheckpointError(
          `${file}: weight '${w.name}' has shape [${w.tensor.shape}], the model wants [${shape}]`,
        );
      }
    });
    model.setWeights(weights.map((w) => w.tensor));
    await model.optimizer.setWeights(tensors.get('optimizer') ?? []);
    const { accBeta1, accBeta2 } = betaPowers(model.optimizer);
    for (const { name, tensor } of tensors.get('adam') ?? [])
      (name === 'accBeta1' ? accBeta1 : accBeta2).assign(tensor);
    return state;
  } finally {
    // setWeights copies into the model's and the optimizer's own variables.
    for (const list of tensors.values()) for (const { tensor } of list) tensor.dispose();
  }
}
