import { describe, expect, it } from 'vitest';
import {
  ContractError,
  checkModel,
  contractFromMetadata,
  contractToMetadata,
  defineContract,
  isOrientation,
  METADATA_KEYS,
  preparationProblem,
  SEED_CONTRACT,
  type ValueInfo,
} from '../src/index.js';
import { contractErrorOf } from './helpers/contract-error.js';

const K = METADATA_KEYS;
const segmenter = defineContract({
  labels: ['background', 'liver', 'tumour'],
  grid: [32, 32, 32],
  rawChannels: 1,
  preprocessing: 'none',
  inputKind: 'preprocessed',
  task: 'segment',
  segmentation: { output: 'probabilities', freeSize: true },
  preparation: {
    orientation: 'RAS',
    spacing: [1.5, 1.5, 2],
    intensity: { kind: 'window', aMin: -57, aMax: 164, bMin: 0, bMax: 1, clip: true },
  },
});

const errorOf = contractErrorOf;

describe('contract version 3: task, segmentation output, preparation', () => {
  it('writes a plain classifier as version 2, exactly the keys it had', () => {
    const meta = contractToMetadata(SEED_CONTRACT);
    expect(meta[K.contractVersion]).toBe('2');
    expect(
      Object.keys(meta).some((k) => [K.task, K.voxelOutput, K.freeSize, K.preparation].includes(k as never)),
    ).toBe(false);
    expect(contractFromMetadata(meta, 'm.onnx')).toMatchObject({ version: 2, task: 'classify' });
  });

  it('round-trips a segmenter as version 3', () => {
    const meta = contractToMetadata(segmenter);
    expect(meta).toMatchObject({
      [K.contractVersion]: '3',
      [K.task]: 'segment',
      [K.voxelOutput]: 'probabilities',
      [K.freeSize]: 'true',
    });
    expect(contractFromMetadata(meta, 'm.onnx')).toEqual(segmenter);
    expect(segmenter.version).toBe(3);
  });

  it('writes a classifier with a preparation as version 3', () => {
    const prepared = defineContract({
      ...SEED_CONTRACT,
      preparation: { orientation: 'LIA', intensity: { kind: 'zscore', nonzero: true } },
    });
    const meta = contractToMetadata(prepared);
    expect(meta[K.contractVersion]).toBe('3');
    expect(meta[K.task]).toBe('classify');
    expect(contractFromMetadata(meta, 'm.onnx')).toEqual(prepared);
  });

  const v3 = contractToMetadata(segmenter);
  const without = (key: string) => Object.fromEntries(Object.entries(v3).filter(([k]) => k !== key));
  it.each([K.task, K.voxelOutput, K.freeSize])('names a missing %s', (key) => {
    expect(errorOf(without(key))).toMatch(new RegExp(`^m.onnx: metadata '${key}' is missing`));
  });

  it.each<[string, string, RegExp]>([
    [K.task, 'detect', /'conv3d.task' must be one of classify, segment, got "detect"/],
    [K.voxelOutput, 'scores', /'conv3d.voxel_output' must be one of probabilities, logits/],
    [K.freeSize, 'yes', /'conv3d.free_size' must be 'true' or 'false', got 'yes'/],
    [
      K.preparation,
      '{"orientation":"RAR","intensity":{"kind":"none"}}',
      /'conv3d.preparation' 'orientation' must be/,
    ],
    [
      K.preparation,
      '{"orientation":"RAS","spacing":[1,0,1],"intensity":{"kind":"none"}}',
      /'spacing' must be 3 positive/,
    ],
    [
      K.preparation,
      '{"orientation":"RAS","intensity":{"kind":"window","aMin":1,"aMax":0,"bMin":0,"bMax":1,"clip":true}}',
      /needs aMax > aMin/,
    ],
    [
      K.preparation,
      '{"orientation":"RAS","intensity":{"kind":"zscore"}}',
      /'intensity.nonzero' must be a boolean/,
    ],
    [K.preparation, 'not json', /'conv3d.preparation' is not valid JSON/],
  ])('rejects %s = %s with one line naming it', (key, value, message) => {
    expect(errorOf({ ...v3, [key]: value })).toMatch(message);
    expect(errorOf({ ...v3, [key]: value })).toMatch(/^m\.onnx: /);
  });

  it('refuses a segmentation output on a classifier, and a segmenter without one', () => {
    expect(() =>
      defineContract({ ...SEED_CONTRACT, segmentation: { output: 'logits', freeSize: false } }),
    ).toThrow(/'conv3d.voxel_output' is only for segmenters/);
    expect(() => defineContract({ ...SEED_CONTRACT, task: 'segment' })).toThrow(
      /'conv3d.voxel_output' must be one of probabilities, logits for a segmenter/,
    );
  });

  it('knows orientation codes as nibabel spells them', () => {
    for (const code of ['RAS', 'LPS', 'LIA', 'SAR', 'stored']) expect(isOrientation(code)).toBe(true);
    for (const code of ['RAR', 'RA', 'XYZ', 'ras', 'RASL']) expect(isOrientation(code)).toBe(false);
    expect(preparationProblem({ orientation: 'RAS', intensity: { kind: 'none' }, extra: 1 })).toBe(
      "has an unknown field 'extra'",
    );
  });
});

describe('checkModel on a segmenter', () => {
  const input: ValueInfo = { name: 'x', isTensor: true, type: 'float32', shape: ['N', 'D', 'H', 'W', 1] };
  const output: ValueInfo = { name: 'p', isTensor: true, type: 'float32', shape: ['N', 'D', 'H', 'W', 3] };
  const free = contractToMetadata(segmenter);
  const fixed = contractToMetadata(
    defineContract({ ...segmenter, segmentation: { output: 'logits', freeSize: false } }),
  );

  it('accepts symbolic spatial dims when the size is free, the patch when it is fixed', () => {
    expect(checkModel(free, [input], [output], 'm.onnx').contract.task).toBe('segment');
    const at = (info: ValueInfo, k: number): ValueInfo => ({ ...info, shape: ['N', 32, 32, 32, k] });
    expect(checkModel(fixed, [at(input, 1)], [at(output, 3)], 'm.onnx').outputName).toBe('p');
  });

  it.each<[string, Record<string, string>, ValueInfo, ValueInfo, RegExp]>([
    [
      'a fixed graph under a free contract',
      free,
      { ...input, shape: ['N', 32, 32, 32, 1] },
      output,
      /expected float32 \[batch, D, H, W, 1\]/,
    ],
    [
      'a free graph under a fixed contract',
      fixed,
      input,
      output,
      /expected float32 \[batch, 32, 32, 32, 1\]/,
    ],
    [
      'a classifier-shaped output',
      free,
      input,
      { ...output, shape: ['N', 3] },
      /expected float32 \[batch, D, H, W, 3\] \(per-voxel probabilities/,
    ],
    ['a wrong class count', free, input, { ...output, shape: ['N', 'D', 'H', 'W', 2] }, /for 3 labels/],
  ])('rejects %s', (_name, meta, inp, out, message) => {
    expect(() => checkModel(meta, [inp], [out], 'm.onnx')).toThrow(ContractError);
    expect(() => checkModel(meta, [inp], [out], 'm.onnx')).toThrow(message);
  });
});
