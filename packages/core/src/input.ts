// Input validation and preprocessing for a classifier: raw rows (any length the contract says) or a tensor already
// in the graph's input shape, checked for length, shape, dtype and finiteness before any runtime sees them.
import { INPUT_LAYOUT, type ModelContract } from './contract.js';
import { findPreprocessing, type RawVoxels } from './preprocessing/registry.js';

/** Raw voxels as stored in a dataset row: `contract.rawLength` values per sample, voxel order D, H, W, C. */
export type RawVector = RawVoxels;

/** A float32 tensor in the graph's input shape: `[N, ...contract.inputShape]` or one sample. */
export interface PreprocessedTensor {
  data: Float32Array;
  dims: readonly number[];
}

/**
 * One raw vector, a flat batch of raw vectors (N·rawLength values), an array of raw vectors, or a tensor in the
 * graph's input shape (an onnxruntime `Tensor` qualifies).
 */
export type ClassifierInput = RawVector | readonly RawVector[] | PreprocessedTensor;

/** Bad input to predict: wrong length, shape, layout, dtype, or a non-finite value. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A model input: the float32 batch in the graph's input shape and the number of samples in it. */
export interface ModelInput {
  data: Float32Array;
  count: number;
}

/** Input that passed validation, not yet converted. */
export type ValidatedInput =
  | { kind: 'tensor'; data: Float32Array; count: number }
  | { kind: 'flat'; values: RawVector; count: number }
  | { kind: 'samples'; samples: readonly RawVector[]; count: number };

/** Provides the buffer a batch is written into: `length` float32 values, contents irrelevant. */
export type Allocate = (length: number) => Float32Array;

const allocateNew: Allocate = (length) => new Float32Array(length);

/** Validates `input` and converts it to the model's float32 batch (see validateInput and toModelInput). */
export function prepareInput(
  input: ClassifierInput,
  contract: ModelContract,
  allocate: Allocate = allocateNew,
): ModelInput {
  return toModelInput(validateInput(input, contract), contract, allocate);
}

/** Checks `input` against the contract without converting it. Throws a one-line InputError saying what was expected. */
export function validateInput(input: ClassifierInput, contract: ModelContract): ValidatedInput {
  const raw = contract.rawLength;
  if (isTensorLike(input)) return checkTensor(input, contract);
  if (input instanceof Float32Array || input instanceof Float64Array) {
    const count = rawCount(input.length, 'input', contract);
    checkFinite(input, 'input', raw);
    return { kind: 'flat', values: input, count };
  }
  if (ArrayBuffer.isView(input)) {
    throw new InputError(
      `input is a ${typeName(input)}; expected ${expectedRaw(contract)} or ${expectedTensor(contract)}`,
    );
  }
  if (!Array.isArray(input)) {
    throw new InputError(
      `input is ${typeName(input)}; expected ${expectedRaw(contract)} or ${expectedTensor(contract)}`,
    );
  }
  if (input.length === 0) throw new InputError(`input is empty; expected ${expectedRaw(contract)}`);
  if (typeof input[0] === 'number') {
    const flat = input as readonly number[];
    const count = rawCount(flat.length, 'input', contract);
    checkNumbers(flat, 'input', contract, raw);
    return { kind: 'flat', values: flat, count };
  }
  const samples = input as readonly unknown[];
  for (let s = 0; s < samples.length; s++) {
    const sample = samples[s];
    const where = `input[${s}]`;
    if (sample instanceof Float32Array || sample instanceof Float64Array) {
      if (sample.length !== raw) throw lengthError(where, sample.length, contract);
      checkFinite(sample, where);
    } else if (Array.isArray(sample)) {
      if (sample.length !== raw) throw lengthError(where, sample.length, contract);
      checkNumbers(sample, where, contract);
    } else {
      throw new InputError(`${where} is ${typeName(sample)}; expected ${expectedRaw(contract)}`);
    }
  }
  return { kind: 'samples', samples: samples as readonly RawVector[], count: samples.length };
}

/**
 * The model's float32 batch for validated input. Raw rows are preprocessed into a buffer from `allocate` (a caller
 * may pool them: allocating megabytes per call is slow); a raw-input model gets the rows themselves, as float32
 * (a flat Float32Array batch is passed through uncopied). A tensor is returned as is.
 */
export function toModelInput(
  input: ValidatedInput,
  contract: ModelContract,
  allocate: Allocate = allocateNew,
): ModelInput {
  if (input.kind === 'tensor') return { data: input.data, count: input.count };
  if (contract.inputKind === 'raw' && input.kind === 'flat' && input.values instanceof Float32Array) {
    return { data: input.values, count: input.count };
  }
  const { count } = input;
  const size = contract.inputSize;
  const out = allocate(count * size);
  if (out.length !== count * size) {
    throw new RangeError(`allocate(${count * size}) returned ${out.length} values`);
  }
  const write = sampleWriter(contract);
  if (input.kind === 'flat') {
    for (let s = 0; s < count; s++) write(input.values, s * contract.rawLength, out, s * size);
  } else {
    for (let s = 0; s < count; s++) write(input.samples[s] as RawVector, 0, out, s * size);
  }
  return { data: out, count };
}

type SampleWriter = (src: RawVector, srcOffset: number, dst: Float32Array, dstOffset: number) => void;

function sampleWriter(contract: ModelContract): SampleWriter {
  const { voxels, rawChannels, rawLength } = contract;
  if (contract.inputKind === 'raw') {
    return (src, srcOffset, dst, dstOffset) => {
      for (let i = 0; i < rawLength; i++) dst[dstOffset + i] = src[srcOffset + i] as number;
    };
  }
  const preprocessing = findPreprocessing(contract.preprocessing);
  if (preprocessing === undefined)
    throw new RangeError(`preprocessing '${contract.preprocessing}' is not registered`);
  return (src, srcOffset, dst, dstOffset) =>
    preprocessing.apply(src, srcOffset, voxels, rawChannels, dst, dstOffset);
}

/** Preprocesses `count` consecutive raw samples into one float32 batch in the contract's preprocessed shape. */
export function preprocessBatch(
  contract: ModelContract,
  src: RawVector,
  count = src.length / contract.rawLength,
): Float32Array {
  if (!Number.isInteger(count) || count * contract.rawLength > src.length) {
    throw new RangeError(
      `preprocessBatch: ${src.length} values do not hold ${count} samples of ${contract.rawLength}`,
    );
  }
  const preprocessed =
    contract.inputKind === 'raw' ? { ...contract, inputKind: 'preprocessed' as const } : contract;
  const size = contract.voxels * contract.channels;
  const out = new Float32Array(count * size);
  const write = sampleWriter(preprocessed);
  for (let s = 0; s < count; s++) write(src, s * contract.rawLength, out, s * size);
  return out;
}

function expectedRaw(contract: ModelContract): string {
  return `raw vectors of ${contract.rawLength} values (Float32Array, Float64Array or number[])`;
}

function expectedTensor(contract: ModelContract): string {
  const dims = `[N, ${contract.inputShape.join(', ')}]`;
  return contract.inputKind === 'raw'
    ? `a float32 tensor with dims ${dims} (raw rows)`
    : `a preprocessed float32 tensor with dims ${dims} (${INPUT_LAYOUT})`;
}

function isTensorLike(input: unknown): input is PreprocessedTensor {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'dims' in input;
}

function checkTensor(tensor: PreprocessedTensor, contract: ModelContract): ValidatedInput {
  const { data, dims } = tensor;
  const sampleShape = contract.inputShape;
  if (!(data instanceof Float32Array)) {
    throw new InputError(`tensor data is ${typeName(data)}; expected ${expectedTensor(contract)}`);
  }
  const shape = Array.from(dims);
  const single = shape.length === sampleShape.length;
  const sample = single ? shape : shape.slice(1);
  const count = single ? 1 : shape[0];
  const sampleOk = sample.length === sampleShape.length && sample.every((d, i) => d === sampleShape[i]);
  if (!sampleOk || count === undefined || !Number.isInteger(count) || count < 1) {
    const [d, h, w] = contract.grid;
    const ncdhw =
      contract.inputKind === 'preprocessed' &&
      shape.length === 5 &&
      shape[1] === contract.channels &&
      shape[2] === d &&
      shape[3] === h &&
      shape[4] === w;
    const hint = ncdhw ? ' (that is NCDHW: move channels last)' : '';
    throw new InputError(`tensor dims [${shape.join(', ')}]${hint}; expected ${expectedTensor(contract)}`);
  }
  if (data.length !== count * contract.inputSize) {
    throw new InputError(
      `tensor data has ${data.length} values but dims [${shape.join(', ')}] need ${count * contract.inputSize}`,
    );
  }
  checkFinite(data, 'tensor', contract.inputSize);
  return { kind: 'tensor', data, count };
}

function rawCount(length: number, where: string, contract: ModelContract): number {
  if (length === 0 || length % contract.rawLength !== 0) throw lengthError(where, length, contract);
  return length / contract.rawLength;
}

function lengthError(where: string, length: number, contract: ModelContract): InputError {
  return new InputError(
    `${where} has ${length} values; expected ${expectedRaw(contract)}, or a multiple for a batch`,
  );
}

/** `sampleSize` set: `values` is a flat batch, and errors name the sample and the value within it. */
function checkFinite(values: Float32Array | Float64Array, where: string, sampleSize?: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    // v - v is 0 for finite v and NaN for NaN and ±Infinity: one comparison per value.
    if (v - v !== 0) throw nonFinite(where, i, v, sampleSize);
  }
}

function checkNumbers(
  values: readonly unknown[],
  where: string,
  contract: ModelContract,
  sampleSize?: number,
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') {
      throw new InputError(`${where}[${i}] is ${typeName(v)}; expected ${expectedRaw(contract)}`);
    }
    if (v - v !== 0) throw nonFinite(where, i, v, sampleSize);
  }
}

function nonFinite(where: string, i: number, v: number, sampleSize?: number): InputError {
  const at =
    sampleSize === undefined
      ? `${where}[${i}]`
      : `${where} sample ${Math.floor(i / sampleSize)} value ${i % sampleSize}`;
  return new InputError(`${at} is ${v}; expected finite values`);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
