// @conv3d/core's metadata_props reader against bytes written by this package's protobufjs encoder, so the wire walk
// is checked against the writer every runtime actually meets, not only against a second hand-written encoder.
import {
  ContractError,
  contractFromMetadata,
  contractToMetadata,
  defineContract,
  readOnnxMetadata,
} from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from '../src/index.js';
import { encodeModel } from '../src/proto/index.js';
import { seedModel } from './helpers/seed-model.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

describe('readOnnxMetadata on protobufjs-encoded models', () => {
  it('reads the contract of an exported seed model (weights of 769 kB skipped, not decoded)', () => {
    const model = seedModel();
    randomizeWeights(model, 91);
    const { bytes, summary } = convertModel(model, { testAccuracy: 0.6615 });
    expect(bytes.length).toBeGreaterThan(700_000);
    const meta = readOnnxMetadata(bytes, 'seed.onnx');
    expect(meta).toEqual(summary.metadata);
    expect(contractFromMetadata(meta, 'seed.onnx')).toMatchObject({ testAccuracy: 0.6615, channels: 3 });
  });

  it('reads non-ASCII labels, long values and empty strings exactly', () => {
    const contract = defineContract({
      labels: ['chat', 'Hund', '鳥', 'ñandú', 'x'.repeat(300)],
      grid: [2, 3, 4],
      rawChannels: 1,
      preprocessing: 'minmax',
      inputKind: 'raw',
    });
    const metadata = { ...contractToMetadata(contract), 'other.empty': '', 'other.🙂': 'é'.repeat(5000) };
    const bytes = encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: 17 }],
      producer_name: 'test',
      producer_version: '0',
      doc_string: 'metadata only',
      graph: { name: 'g', node: [], initializer: [], input: [], output: [] },
      metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    expect(readOnnxMetadata(bytes, 'm.onnx')).toEqual(metadata);
    expect(contractFromMetadata(readOnnxMetadata(bytes, 'm.onnx'), 'm.onnx').labels).toEqual(contract.labels);
  });

  it('rejects every truncation of an encoded model with one line naming it', () => {
    const tiny = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const { bytes } = convertModel(tiny, { contract: null });
    expect(readOnnxMetadata(bytes, 'tiny.onnx')).toEqual({});
    for (const cut of [1, 7, bytes.length >> 1, bytes.length - 1]) {
      const error = (() => {
        try {
          readOnnxMetadata(bytes.subarray(0, cut), 'tiny.onnx');
          return undefined;
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error, `cut at ${cut}`).toBeInstanceOf(ContractError);
      expect(error?.message).toMatch(/^tiny\.onnx: not an ONNX model \(/);
    }
    tiny.dispose();
  });
});
