// The classifier core shared by @conv3d/infer-node and @conv3d/infer-web (as onnxruntime's js/common is shared by
// its backends): the public types, input validation and preprocessing, output decoding, the model contract checks
// and a reader for ONNX metadata_props (neither onnxruntime-node nor -web exposes them). Pure: no Node APIs.
import {
  ContractError,
  contractFromMetadata,
  GRID,
  INPUT_LAYOUT,
  type ModelContract,
  PREPROCESSING_ORANGES_RGB,
  SAMPLE_SHAPE,
  SAMPLE_SIZE,
  VOXELS,
} from './contract.js';
import { preprocessSample } from './preprocess.js';

/** Where a Node classifier may run: 'auto' tries CUDA, then CPU. */
export type NodeDevice = 'auto' | 'cuda' | 'cpu';
/** Where a browser classifier may run: 'auto' tries WebGPU, then wasm. */
export type WebDevice = 'auto' | 'webgpu' | 'wasm';
export type Device = NodeDevice | WebDevice;
/** The execution provider that actually runs the model. */
export type Provider = Exclude<Device, 'auto'>;

export interface LoadOptions<D extends Device = Device> {
  /** Defaults to 'auto'. */
  device?: D;
}

export interface Prediction {
  /** The most probable class label. */
  label: string;
  /** Its output index. */
  index: number;
  /** Its probability. */
  probability: number;
  /** Every class probability, in output order. */
  probabilities: Float32Array;
}

/** Raw 3D MNIST voxels as stored in the HDF5 file: 4096 values per sample. */
export type RawVector = Float32Array | Float64Array | readonly number[];

/** An already-preprocessed NDHWC float32 tensor, `[N, 16, 16, 16, 3]` or one sample `[16, 16, 16, 3]`. */
export interface PreprocessedTensor {
  data: Float32Array;
  dims: readonly number[];
}

/**
 * One raw vector, a flat batch of raw vectors (N·4096 values), an array of raw vectors,
 * or an already-preprocessed tensor (an onnxruntime `Tensor` qualifies).
 */
export type ClassifierInput = RawVector | readonly RawVector[] | PreprocessedTensor;

export interface Classifier<P extends Provider = Provider> {
  /** The execution provider that actually runs the model. */
  readonly provider: P;
  /** The contract read from the model's metadata. */
  readonly contract: ModelContract;
  /** Classifies one sample or a batch; one prediction per sample, in input order. */
  predict(input: ClassifierInput): Promise<Prediction[]>;
  /** Frees the session; later predict calls reject. */
  dispose(): Promise<void>;
}

/** Bad input to predict: wrong length, shape, layout, dtype, or a non-finite value. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A model input: the NDHWC float32 batch and the number of samples in it. */
export interface ModelInput {
  data: Float32Array;
  count: number;
}

const EXPECTED_RAW = `raw vectors of ${VOXELS} values (Float32Array, Float64Array or number[])`;
const EXPECTED_TENSOR = `a preprocessed float32 tensor with dims [N, ${SAMPLE_SHAPE.join(', ')}] (${INPUT_LAYOUT})`;

/** Provides the buffer a raw batch is preprocessed into: `length` float32 values, contents irrelevant. */
export type Allocate = (length: number) => Float32Array;

const allocateNew: Allocate = (length) => new Float32Array(length);

/**
 * Validates `input` and returns the model's NDHWC float32 batch, applying the contract's preprocessing to raw
 * vectors (into a buffer from `allocate`: a caller may pool them, since allocating megabytes per call is slow).
 * A preprocessed tensor is returned as is. Throws a one-line InputError saying what was expected.
 */
export function prepareInput(
  input: ClassifierInput,
  contract: ModelContract,
  allocate: Allocate = allocateNew,
): ModelInput {
  if (isTensorLike(input)) return checkTensor(input);
  if (input instanceof Float32Array || input instanceof Float64Array) {
    const count = rawCount(input.length, 'input');
    checkFinite(input, 'input', VOXELS);
    return { data: preprocessFlat(input, count, contract, allocate), count };
  }
  if (ArrayBuffer.isView(input)) {
    throw new InputError(`input is a ${typeName(input)}; expected ${EXPECTED_RAW} or ${EXPECTED_TENSOR}`);
  }
  if (!Array.isArray(input)) {
    throw new InputError(`input is ${typeName(input)}; expected ${EXPECTED_RAW} or ${EXPECTED_TENSOR}`);
  }
  if (input.length === 0) throw new InputError(`input is empty; expected ${EXPECTED_RAW}`);
  if (typeof input[0] === 'number') {
    const flat = input as readonly number[];
    const count = rawCount(flat.length, 'input');
    checkNumbers(flat, 'input', VOXELS);
    return { data: preprocessFlat(flat, count, contract, allocate), count };
  }
  return { data: preprocessSamples(input as readonly unknown[], contract, allocate), count: input.length };
}

function preprocessFlat(
  src: RawVector,
  count: number,
  contract: ModelContract,
  allocate: Allocate,
): Float32Array {
  const out = output(count, contract, allocate);
  for (let s = 0; s < count; s++) preprocessSample(src, s * VOXELS, out, s * SAMPLE_SIZE);
  return out;
}

function preprocessSamples(
  samples: readonly unknown[],
  contract: ModelContract,
  allocate: Allocate,
): Float32Array {
  const out = output(samples.length, contract, allocate);
  for (let s = 0; s < samples.length; s++) {
    const sample = samples[s];
    const where = `input[${s}]`;
    if (sample instanceof Float32Array || sample instanceof Float64Array) {
      if (sample.length !== VOXELS) throw lengthError(where, sample.length);
      checkFinite(sample, where);
    } else if (Array.isArray(sample)) {
      if (sample.length !== VOXELS) throw lengthError(where, sample.length);
      checkNumbers(sample, where);
    } else {
      throw new InputError(`${where} is ${typeName(sample)}; expected ${EXPECTED_RAW}`);
    }
    preprocessSample(sample as RawVector, 0, out, s * SAMPLE_SIZE);
  }
  return out;
}

// One place to add another preprocessing id: contractFromMetadata accepts only the ids handled here.
function output(count: number, contract: ModelContract, allocate: Allocate): Float32Array {
  if (contract.preprocessing !== PREPROCESSING_ORANGES_RGB) {
    throw new ContractError(`model preprocessing '${contract.preprocessing}' is not implemented`);
  }
  const out = allocate(count * SAMPLE_SIZE);
  if (out.length !== count * SAMPLE_SIZE) {
    throw new RangeError(`allocate(${count * SAMPLE_SIZE}) returned ${out.length} values`);
  }
  return out;
}

function isTensorLike(input: unknown): input is PreprocessedTensor {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'dims' in input;
}

function checkTensor(tensor: PreprocessedTensor): ModelInput {
  const { data, dims } = tensor;
  if (!(data instanceof Float32Array)) {
    throw new InputError(`tensor data is ${typeName(data)}; expected ${EXPECTED_TENSOR}`);
  }
  const shape = Array.from(dims);
  const sample = shape.length === SAMPLE_SHAPE.length ? shape : shape.slice(1);
  const count = shape.length === SAMPLE_SHAPE.length ? 1 : shape[0];
  const sampleOk = sample.length === SAMPLE_SHAPE.length && sample.every((d, i) => d === SAMPLE_SHAPE[i]);
  if (!sampleOk || count === undefined || !Number.isInteger(count) || count < 1) {
    const ncdhw = shape.length === 5 && shape[1] === 3 && shape[2] === GRID && shape[4] === GRID;
    const hint = ncdhw ? ' (that is NCDHW: move channels last)' : '';
    throw new InputError(`tensor dims [${shape.join(', ')}]${hint}; expected ${EXPECTED_TENSOR}`);
  }
  if (data.length !== count * SAMPLE_SIZE) {
    throw new InputError(
      `tensor data has ${data.length} values but dims [${shape.join(', ')}] need ${count * SAMPLE_SIZE}`,
    );
  }
  checkFinite(data, 'tensor', SAMPLE_SIZE);
  return { data, count };
}

function rawCount(length: number, where: string): number {
  if (length === 0 || length % VOXELS !== 0) throw lengthError(where, length);
  return length / VOXELS;
}

function lengthError(where: string, length: number): InputError {
  return new InputError(`${where} has ${length} values; expected ${EXPECTED_RAW}, or a multiple for a batch`);
}

/** `sampleSize` set: `values` is a flat batch, and errors name the sample and the value within it. */
function checkFinite(values: Float32Array | Float64Array, where: string, sampleSize?: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    // v - v is 0 for finite v and NaN for NaN and ±Infinity: one comparison per value.
    if (v - v !== 0) throw nonFinite(where, i, v, sampleSize);
  }
}

function checkNumbers(values: readonly unknown[], where: string, sampleSize?: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') {
      throw new InputError(`${where}[${i}] is ${typeName(v)}; expected ${EXPECTED_RAW}`);
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

/** Splits the model's `[count, classes]` probabilities into predictions. */
export function decodePredictions(
  probabilities: Float32Array,
  count: number,
  contract: ModelContract,
): Prediction[] {
  const classes = contract.labels.length;
  if (probabilities.length !== count * classes) {
    throw new ContractError(
      `model returned ${probabilities.length} values for ${count} samples; expected ${count} × ${classes}`,
    );
  }
  const predictions: Prediction[] = new Array(count);
  for (let s = 0; s < count; s++) {
    const row = probabilities.slice(s * classes, (s + 1) * classes);
    let index = 0;
    for (let c = 1; c < classes; c++) if ((row[c] as number) > (row[index] as number)) index = c;
    predictions[s] = {
      label: contract.labels[index] as string,
      index,
      probability: row[index] as number,
      probabilities: row,
    };
  }
  return predictions;
}

/** A model input or output as onnxruntime describes it (`session.inputMetadata[i]`). */
export interface ValueInfo {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

export interface CheckedModel {
  contract: ModelContract;
  inputName: string;
  outputName: string;
}

/**
 * Checks a loaded model against the contract this package implements: metadata_props, one float32 input
 * `[batch, 16, 16, 16, 3]`, one float32 output `[batch, classes]`. `source` names the model in errors.
 */
export function checkModel(
  metadata: Readonly<Record<string, string>>,
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  source: string,
): CheckedModel {
  const contract = contractFromMetadata(metadata, source);
  const [input] = inputs;
  if (inputs.length !== 1 || input === undefined) {
    throw new ContractError(`${source}: model has ${inputs.length} inputs; expected exactly one`);
  }
  const expected = `float32 [batch, ${SAMPLE_SHAPE.join(', ')}] (${INPUT_LAYOUT})`;
  const inShape = input.shape ?? [];
  const inOk =
    input.isTensor !== false &&
    input.type === 'float32' &&
    inShape.length === SAMPLE_SHAPE.length + 1 &&
    SAMPLE_SHAPE.every((d, i) => inShape[i + 1] === d);
  if (!inOk) {
    throw new ContractError(
      `${source}: input '${input.name}' is ${input.type ?? 'untyped'} [${inShape.join(', ')}]; expected ${expected}`,
    );
  }
  const [output] = outputs;
  if (outputs.length !== 1 || output === undefined) {
    throw new ContractError(`${source}: model has ${outputs.length} outputs; expected exactly one`);
  }
  const classes = contract.labels.length;
  const outShape = output.shape ?? [];
  if (output.type !== 'float32' || outShape.length !== 2 || outShape[1] !== classes) {
    throw new ContractError(
      `${source}: output '${output.name}' is ${output.type ?? 'untyped'} [${outShape.join(', ')}]; expected float32 [batch, ${classes}] for ${classes} labels`,
    );
  }
  return { contract, inputName: input.name, outputName: output.name };
}

/**
 * Reads `metadata_props` from serialized ONNX ModelProto bytes with a minimal protobuf wire-format walk:
 * top-level field 14 holds StringStringEntryProto { key = 1, value = 2 }; every other field is skipped by length,
 * so the weights are never decoded. Throws a ContractError when the bytes are not a protobuf message.
 */
export function readOnnxMetadata(bytes: Uint8Array, source: string): Record<string, string> {
  const meta: Record<string, string> = {};
  const reader = new WireReader(bytes, 0, bytes.length, source);
  let sawGraph = false;
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === MODEL_GRAPH && wire === WIRE_LEN) sawGraph = true;
    if (field === MODEL_METADATA_PROPS && wire === WIRE_LEN) {
      const [start, end] = reader.span();
      const entry = new WireReader(bytes, start, end, source);
      let key = '';
      let value = '';
      while (!entry.done()) {
        const t = entry.tag();
        if (t.wire === WIRE_LEN && (t.field === 1 || t.field === 2)) {
          const [s, e] = entry.span();
          const text = UTF8.decode(bytes.subarray(s, e));
          if (t.field === 1) key = text;
          else value = text;
        } else entry.skip(t.wire);
      }
      meta[key] = value;
    } else reader.skip(wire);
  }
  if (!sawGraph) throw new ContractError(`${source}: not an ONNX model (no graph)`);
  return meta;
}

const MODEL_GRAPH = 7;
const MODEL_METADATA_PROPS = 14;
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
const UTF8 = new TextDecoder('utf-8', { fatal: false });

class WireReader {
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly end: number,
    private readonly source: string,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  tag(): { field: number; wire: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) this.fail('field number 0');
    return { field, wire: key % 8 };
  }

  /** A length-delimited field's [start, end). */
  span(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) this.fail(`field of ${length} bytes runs past the end`);
    this.pos = start + length;
    return [start, this.pos];
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.span();
    else if (wire === WIRE_I64) this.advance(8);
    else if (wire === WIRE_I32) this.advance(4);
    else this.fail(`unsupported wire type ${wire}`);
  }

  // Numbers, not 32-bit bit operations: lengths and int64 fields may exceed 2³¹.
  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const byte = this.bytes[this.pos++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    return this.fail('varint longer than 10 bytes');
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) this.fail('truncated fixed-width field');
    this.pos += n;
  }

  private fail(why: string): never {
    throw new ContractError(`${this.source}: not an ONNX model (${why} at byte ${this.pos})`);
  }
}
