import { describe, expect, it } from 'vitest';
import {
  contractDifference,
  contractFromMetadata,
  contractToMetadata,
  defineContract,
  LEGACY_PREPROCESSING,
  METADATA_KEYS,
  SEED_CONTRACT,
} from '../src/index.js';
import { contractErrorOf } from './helpers/contract-error.js';

const K = METADATA_KEYS;
const general = defineContract({
  labels: ['cat', 'dog', 'eel'],
  grid: [8, 4, 2],
  rawChannels: 2,
  preprocessing: 'minmax',
  inputKind: 'preprocessed',
  testAccuracy: 0.25,
});

/** A v1 file as @conv3d/export-onnx wrote it before contract v2. */
const legacy = {
  [K.labels]: '["0","1","2","3","4","5","6","7","8","9"]',
  [K.preprocessing]: LEGACY_PREPROCESSING,
  [K.inputLayout]: 'NDHWC',
  [K.inputShape]: '[16,16,16,3]',
  [K.testAccuracy]: '0.6615',
};

const errorOf = contractErrorOf;

describe('the seed contract', () => {
  it('is 3D MNIST: 16³ grids of one raw value, Oranges RGB, ten digits', () => {
    expect(SEED_CONTRACT).toMatchObject({
      version: 2,
      grid: [16, 16, 16],
      rawChannels: 1,
      voxelOrder: 'dhwc',
      preprocessing: 'oranges-rgb',
      inputKind: 'preprocessed',
      voxels: 4096,
      rawLength: 4096,
      channels: 3,
      inputShape: [16, 16, 16, 3],
      inputSize: 12288,
    });
    expect(SEED_CONTRACT.labels).toHaveLength(10);
  });

  it('is frozen, as every contract is: they are shared by reference', () => {
    expect(Object.isFrozen(SEED_CONTRACT)).toBe(true);
    expect(() => (SEED_CONTRACT.labels as string[]).push('10')).toThrow(TypeError);
    expect(Object.isFrozen(contractFromMetadata(contractToMetadata(SEED_CONTRACT), 'm').grid)).toBe(true);
  });

  it('writes the agreed v2 keys', () => {
    expect(contractToMetadata(SEED_CONTRACT)).toEqual({
      'conv3d.contract_version': '2',
      'conv3d.labels': '["0","1","2","3","4","5","6","7","8","9"]',
      'conv3d.grid': '[16,16,16]',
      'conv3d.raw_channels': '1',
      'conv3d.voxel_order': 'dhwc',
      'conv3d.preprocessing': 'oranges-rgb',
      'conv3d.input_kind': 'preprocessed',
      'conv3d.input_layout': 'NDHWC',
      'conv3d.input_shape': '[16,16,16,3]',
    });
  });
});

describe('contractFromMetadata', () => {
  it('round-trips a general contract without replacing any parsed value', () => {
    const parsed = contractFromMetadata(contractToMetadata(general), 'm.onnx');
    expect(parsed).toEqual(general);
    expect(parsed).toMatchObject({ grid: [8, 4, 2], rawChannels: 2, rawLength: 128, channels: 2 });
    expect(parsed.inputShape).toEqual([8, 4, 2, 2]);
    expect(parsed.labels).toEqual(['cat', 'dog', 'eel']);
  });

  it('reads raw-input models: graph input [N, D·H·W·C], no input layout', () => {
    const raw = defineContract({
      ...general,
      preprocessing: 'oranges-rgb',
      rawChannels: 1,
      inputKind: 'raw',
    });
    const meta = contractToMetadata(raw);
    expect(meta[K.inputLayout]).toBeUndefined();
    expect(meta[K.inputShape]).toBe('[64]');
    expect(contractFromMetadata(meta, 'm.onnx')).toMatchObject({
      inputKind: 'raw',
      inputShape: [64],
      channels: 3,
    });
  });

  it('loads a legacy v1 file as the seed contract with its own labels and test accuracy', () => {
    const parsed = contractFromMetadata(
      { ...legacy, [K.labels]: JSON.stringify('abcdefghij'.split('')) },
      'v1',
    );
    const { labels: _seedLabels, ...seed } = SEED_CONTRACT;
    expect(parsed).toMatchObject({ ...seed, version: 1, testAccuracy: 0.6615 });
    expect(parsed.labels).toEqual('abcdefghij'.split(''));
    expect(errorOf({ ...legacy, [K.inputShape]: '[8,8,8,3]' })).toBe(
      "m.onnx: metadata 'conv3d.input_shape' is [8,8,8,3], but 'conv3d.grid' and 'conv3d.preprocessing' channels give [16,16,16,3]",
    );
    expect(errorOf({ ...legacy, [K.preprocessing]: 'viridis-rgb' })).toMatch(
      /^m.onnx: unknown preprocessing 'viridis-rgb', expected matplotlib-oranges-rgb-v1/,
    );
  });

  const v2 = contractToMetadata(general);
  const without = (key: string) => Object.fromEntries(Object.entries(v2).filter(([k]) => k !== key));
  const v3Keys: string[] = [K.task, K.voxelOutput, K.freeSize, K.preparation];
  it.each(
    Object.values(K).filter(
      (k) => k !== K.testAccuracy && k !== K.members && k !== K.contractVersion && !v3Keys.includes(k),
    ),
  )('names a missing %s', (key) => {
    expect(errorOf(without(key))).toMatch(new RegExp(`^m.onnx: metadata '${key}' is missing`));
  });

  it.each<[string, string, RegExp]>([
    [K.contractVersion, '4', /'conv3d.contract_version' is '4'; this package reads versions 1 to 3/],
    [K.labels, '["a"]', /'conv3d.labels' must be ≥ 2 distinct non-empty strings, got \["a"\]/],
    [K.labels, '["a","a"]', /'conv3d.labels' must be ≥ 2 distinct/],
    [K.labels, '[oops', /metadata 'conv3d.labels' is not valid JSON/],
    [K.grid, '[8,4]', /'conv3d.grid' must be \[D, H, W\], 3 positive integers, got \[8,4\]/],
    [K.grid, '[8,0,2]', /'conv3d.grid' must be \[D, H, W\]/],
    [K.rawChannels, '0', /metadata 'conv3d.raw_channels' must be a positive integer, got '0'/],
    [K.rawChannels, '1.5', /'conv3d.raw_channels' must be a positive integer/],
    [K.voxelOrder, 'xyzc', /'conv3d.voxel_order' is 'xyzc'; only 'dhwc' is defined/],
    [
      K.preprocessing,
      'viridis',
      /unknown preprocessing 'viridis', expected one of oranges-rgb, minmax, none/,
    ],
    [K.preprocessing, 'oranges-rgb', /'conv3d.preprocessing' does not fit 'conv3d.raw_channels' 2/],
    [K.inputKind, 'voxels', /'conv3d.input_kind' must be one of preprocessed, raw, got "voxels"/],
    [K.inputLayout, 'NCDHW', /'conv3d.input_layout' is 'NCDHW'; expected 'NDHWC'/],
    [K.inputShape, '[8,4,2,3]', /'conv3d.input_shape' is \[8,4,2,3\], but .* give \[8,4,2,2\]/],
    [K.inputShape, 'x', /'conv3d.input_shape' is not valid JSON/],
    [K.testAccuracy, '1.5', /'conv3d.test_accuracy' must be a number in \[0, 1\]/],
    [K.testAccuracy, '', /'conv3d.test_accuracy' must be a number/],
  ])('rejects %s = %j with one line naming it', (key, value, message) => {
    expect(errorOf({ ...v2, [key]: value })).toMatch(message);
    expect(errorOf({ ...v2, [key]: value })).toMatch(/^m\.onnx: /);
  });

  it('rejects an input layout on a raw-input contract', () => {
    const raw = contractToMetadata(defineContract({ ...general, inputKind: 'raw' }));
    expect(errorOf({ ...raw, [K.inputLayout]: 'NDHWC' })).toMatch(
      /'conv3d.input_layout' is 'NDHWC'; expected absent for raw inputs/,
    );
  });
});

describe('defineContract', () => {
  it('checks specs made in code, naming the field', () => {
    expect(() => defineContract({ ...general, grid: [1, 2] as unknown as [number, number, number] })).toThrow(
      "contract: 'conv3d.grid' must be [D, H, W], 3 positive integers, got [1,2]",
    );
    expect(() => defineContract({ ...general, testAccuracy: -1 })).toThrow(
      /'conv3d.test_accuracy' must be a number/,
    );
  });
});

describe('ensemble members', () => {
  const members = [{ name: 'best-a', testAccuracy: 0.8625 }, { name: 'best-b' }];

  it('round-trip through conv3d.members, in any version, and leave a plain contract unchanged', () => {
    const ensemble = defineContract({ ...general, members });
    const meta = contractToMetadata(ensemble);
    expect(meta[K.members]).toBe(JSON.stringify(members));
    expect(meta[K.contractVersion]).toBe('2');
    expect(contractFromMetadata(meta, 'e.onnx').members).toEqual(members);
    expect(contractToMetadata(general)[K.members]).toBeUndefined();
  });

  it('are set aside with the test accuracy when contracts are compared', () => {
    const ensemble = defineContract({ ...general, members });
    expect(contractDifference(ensemble, { ...general, testAccuracy: 0.5 } as typeof general)).toBeUndefined();
    expect(contractDifference(general, defineContract({ ...general, labels: ['a', 'b', 'c'] }))).toEqual({
      key: K.labels,
      a: '["cat","dog","eel"]',
      b: '["a","b","c"]',
    });
  });

  it('are refused, naming the key, when fewer than two or malformed', () => {
    const meta = contractToMetadata(general);
    for (const bad of [
      '[{"name":"a"}]',
      '[{"name":"a"},{"name":""}]',
      '[{"name":"a"},{"name":"b","testAccuracy":2}]',
    ]) {
      expect(errorOf({ ...meta, [K.members]: bad })).toMatch(/'conv3d.members' must be ≥ 2/);
    }
    expect(errorOf({ ...meta, [K.members]: '[' })).toMatch(/'conv3d.members' is not valid JSON/);
  });
});
