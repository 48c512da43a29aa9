import { describe, expect, it } from 'vitest';
import {
  ContractError,
  checkModel,
  contractToMetadata,
  decodePredictions,
  InputError,
  prepareInput,
  preprocessBatch as preprocessWith,
  Rng,
  readOnnxMetadata,
  SEED_CONTRACT,
  type ValueInfo,
} from '../src/index.js';
import { lenField, metadataEntry, utf8, varint } from './helpers/onnx-bytes.js';

const VOXELS = SEED_CONTRACT.rawLength;
const SAMPLE_SIZE = SEED_CONTRACT.inputSize;
const preprocessBatch = (raw: Float32Array | Float64Array, count?: number) =>
  preprocessWith(SEED_CONTRACT, raw, count);

// Seeded so the raw vectors are the same on every run: about one voxel in five occupied.
function rawSamples(count: number, seed = 1): Float64Array {
  const out = new Float64Array(count * VOXELS);
  const rng = new Rng(seed);
  for (let i = 0; i < out.length; i++) out[i] = rng.chance(0.2) ? rng.next() : 0;
  return out;
}

describe('prepareInput', () => {
  const raw = rawSamples(3);
  const expected = preprocessBatch(raw, 3);

  it('accepts a flat Float64Array, Float32Array or number[] batch and one vector', () => {
    expect(prepareInput(raw, SEED_CONTRACT)).toEqual({ data: expected, count: 3 });
    expect(prepareInput(Array.from(raw), SEED_CONTRACT).data).toEqual(expected);
    const f32 = Float32Array.from(raw);
    expect(prepareInput(f32, SEED_CONTRACT).data).toEqual(preprocessBatch(f32, 3));
    const one = prepareInput(raw.subarray(VOXELS, 2 * VOXELS), SEED_CONTRACT);
    expect(one.count).toBe(1);
    expect(one.data).toEqual(expected.subarray(SAMPLE_SIZE, 2 * SAMPLE_SIZE));
  });

  it('accepts an array of samples of mixed kinds', () => {
    const samples = [
      raw.subarray(0, VOXELS),
      Array.from(raw.subarray(VOXELS, 2 * VOXELS)),
      raw.slice(2 * VOXELS),
    ];
    expect(prepareInput(samples, SEED_CONTRACT)).toEqual({ data: expected, count: 3 });
  });

  it('passes a preprocessed NDHWC tensor through unchanged, batched or single', () => {
    const batch = prepareInput({ data: expected, dims: [3, 16, 16, 16, 3] }, SEED_CONTRACT);
    expect(batch.data).toBe(expected);
    expect(batch.count).toBe(3);
    const single = expected.slice(0, SAMPLE_SIZE);
    expect(prepareInput({ data: single, dims: [16, 16, 16, 3] }, SEED_CONTRACT).count).toBe(1);
  });

  it('preprocesses raw vectors into the buffer allocate provides', () => {
    const buffer = new Float32Array(3 * SAMPLE_SIZE).fill(Number.NaN);
    const result = prepareInput(raw, SEED_CONTRACT, (length) => {
      expect(length).toBe(3 * SAMPLE_SIZE);
      return buffer;
    });
    expect(result.data).toBe(buffer);
    expect(buffer).toEqual(expected);
    expect(() => prepareInput(raw, SEED_CONTRACT, () => new Float32Array(5))).toThrow(RangeError);
  });

  const bad: [string, unknown, RegExp][] = [
    ['a short vector', new Float32Array(4095), /input has 4095 values; expected raw vectors of 4096/],
    ['an empty array', [], /input is empty/],
    ['an Int32Array', new Int32Array(VOXELS), /input is a Int32Array; expected raw vectors/],
    ['a string', 'abc', /input is string; expected/],
    ['a sample of wrong length', [new Float64Array(VOXELS), [1, 2]], /input\[1\] has 2 values/],
    ['a non-number value', ['1', ...new Array(VOXELS - 1).fill(0)], /input\[0\] is string/],
    ['a sample that is not an array', [new Float64Array(VOXELS), 7], /input\[1\] is number/],
    [
      'Float64 tensor data',
      { data: new Float64Array(SAMPLE_SIZE), dims: [1, 16, 16, 16, 3] },
      /Float64Array/,
    ],
    ['NCDHW dims', { data: new Float32Array(SAMPLE_SIZE), dims: [1, 3, 16, 16, 16] }, /that is NCDHW/],
    ['wrong data length', { data: new Float32Array(SAMPLE_SIZE), dims: [2, 16, 16, 16, 3] }, /need 24576/],
    ['a zero batch', { data: new Float32Array(0), dims: [0, 16, 16, 16, 3] }, /expected a preprocessed/],
  ];
  it.each(bad)('rejects %s with a one-line InputError', (_name, input, message) => {
    const run = () => prepareInput(input as Float32Array, SEED_CONTRACT);
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('rejects %s anywhere', (v) => {
    const f64 = rawSamples(2);
    f64[VOXELS + 17] = v;
    expect(() => prepareInput(f64, SEED_CONTRACT)).toThrow(
      `input sample 1 value 17 is ${v}; expected finite`,
    );
    expect(() => prepareInput(Float32Array.from(f64), SEED_CONTRACT)).toThrow(/sample 1 value 17/);
    expect(() => prepareInput(Array.from(f64), SEED_CONTRACT)).toThrow(/sample 1 value 17/);
    expect(() => prepareInput([f64.subarray(0, VOXELS), f64.subarray(VOXELS)], SEED_CONTRACT)).toThrow(
      `input[1][17] is ${v}`,
    );
    const tensor = preprocessBatch(rawSamples(1));
    tensor[5] = v;
    expect(() => prepareInput({ data: tensor, dims: [1, 16, 16, 16, 3] }, SEED_CONTRACT)).toThrow(
      /tensor sample 0 value 5/,
    );
  });
});

describe('decodePredictions', () => {
  it('returns the argmax label, its probability and a copy of each row', () => {
    const probs = new Float32Array(20);
    probs[3] = 0.7;
    probs[4] = 0.3;
    probs[10 + 9] = 1;
    const [a, b] = decodePredictions(probs, 2, SEED_CONTRACT);
    expect(a).toMatchObject({ label: '3', index: 3, probability: Math.fround(0.7) });
    expect(b).toMatchObject({ label: '9', index: 9, probability: 1 });
    expect(Array.from(b?.probabilities ?? [])).toEqual(Array.from(probs.subarray(10)));
    expect(b?.probabilities.buffer).not.toBe(probs.buffer);
  });

  it('rejects a wrong output size', () => {
    expect(() => decodePredictions(new Float32Array(11), 1, SEED_CONTRACT)).toThrow(ContractError);
  });
});

describe('checkModel', () => {
  const meta = contractToMetadata(SEED_CONTRACT);
  const input: ValueInfo = { name: 'input', isTensor: true, type: 'float32', shape: ['N', 16, 16, 16, 3] };
  const output: ValueInfo = { name: 'probs', isTensor: true, type: 'float32', shape: ['N', 10] };

  it('accepts the seed contract and names the input and output', () => {
    const checked = checkModel(meta, [input], [output], 'm.onnx');
    expect(checked).toMatchObject({ inputName: 'input', outputName: 'probs' });
    expect(checked.contract.labels).toEqual(SEED_CONTRACT.labels);
  });

  it.each<[string, ValueInfo[], ValueInfo[], RegExp]>([
    ['NCDHW input', [{ ...input, shape: ['N', 3, 16, 16, 16] }], [output], /input 'input' is float32 \[N, 3/],
    ['float64 input', [{ ...input, type: 'float64' }], [output], /is float64 .*expected float32/],
    ['two inputs', [input, input], [output], /2 inputs; expected exactly one/],
    ['wrong class count', [input], [{ ...output, shape: ['N', 9] }], /expected float32 \[batch, 10\]/],
  ])('rejects %s', (_name, inputs, outputs, message) => {
    expect(() => checkModel(meta, inputs, outputs, 'm.onnx')).toThrow(ContractError);
    expect(() => checkModel(meta, inputs, outputs, 'm.onnx')).toThrow(message);
  });

  it('rejects missing metadata', () => {
    expect(() => checkModel({}, [input], [output], 'm.onnx')).toThrow(/m.onnx: metadata 'conv3d.labels'/);
  });
});

describe('readOnnxMetadata', () => {
  const entry = metadataEntry;
  const model = [
    ...varint(1 * 8),
    8, // ir_version = 8
    ...lenField(2, utf8('test')), // producer_name
    ...entry('conv3d.labels', '["a","b"]'),
    ...lenField(7, new Array(300).fill(0x55)), // graph, skipped by length
    ...varint(5 * 8 + 1),
    ...new Array(8).fill(1), // an unknown fixed64 field
    ...entry('conv3d.preprocessing', 'é-unicode'),
  ];

  it('reads every key and value and skips the other fields', () => {
    expect(readOnnxMetadata(Uint8Array.from(model), 'm.onnx')).toEqual({
      'conv3d.labels': '["a","b"]',
      'conv3d.preprocessing': 'é-unicode',
    });
  });

  it('rejects truncated bytes, garbage and messages without a graph', () => {
    expect(() => readOnnxMetadata(Uint8Array.from(model.slice(0, 40)), 'm.onnx')).toThrow(
      /m.onnx: not an ONNX model \(field of 300 bytes runs past the end/,
    );
    expect(() => readOnnxMetadata(new TextEncoder().encode('hello world'), 'x.txt')).toThrow(
      /x.txt: not an ONNX model/,
    );
    expect(() => readOnnxMetadata(Uint8Array.from(entry('k', 'v')), 'm.onnx')).toThrow(/no graph/);
  });
});
