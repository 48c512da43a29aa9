// The segmenter lifecycle over a scripted session handler: the classifier's lifecycle (one run at a time, dispose,
// provider fallback) with volumes in and label maps out, and each task's file refused by the other's API.
import { describe, expect, it } from 'vitest';
import {
  contractToMetadata,
  defineContract,
  openClassifier,
  openSegmenter,
  type SessionHandler,
  type ValueInfo,
} from '../src/index.js';
import { modelBytes } from './helpers/onnx-bytes.js';

const segmenterContract = (freeSize: boolean) =>
  defineContract({
    labels: ['background', 'inside'],
    grid: [4, 4, 4],
    rawChannels: 1,
    preprocessing: 'none',
    inputKind: 'preprocessed',
    task: 'segment',
    segmentation: { output: 'probabilities', freeSize },
  });
const fixed = modelBytes(contractToMetadata(segmenterContract(false)));
const free = modelBytes(contractToMetadata(segmenterContract(true)));
const classifierBytes = modelBytes(
  contractToMetadata(
    defineContract({
      labels: ['a', 'b'],
      grid: [4, 4, 4],
      rawChannels: 1,
      preprocessing: 'none',
      inputKind: 'preprocessed',
    }),
  ),
);

/** A per-voxel model: class 1 where the value is above 0.5; records the dims of every run. */
function thresholdHandler(freeSize: boolean, runs: number[][] = []): SessionHandler {
  const dims = freeSize ? ['N', 'D', 'H', 'W'] : ['N', 4, 4, 4];
  const input: ValueInfo = { name: 'x', type: 'float32', shape: [...dims, 1] };
  const output: ValueInfo = { name: 'p', type: 'float32', shape: [...dims, 2] };
  return {
    inputs: [input],
    outputs: [output],
    async run(feed, outputName) {
      expect(outputName).toBe('p');
      runs.push([...feed.dims]);
      const out = new Float32Array(feed.data.length * 2);
      feed.data.forEach((v, i) => {
        const p = v > 0.5 ? 0.9 : 0.1;
        out[i * 2] = 1 - p;
        out[i * 2 + 1] = p;
      });
      return out;
    },
    async release() {},
  };
}

function ramp(d: number, h: number, w: number): Float32Array {
  const data = new Float32Array(d * h * w);
  for (let i = 0; i < data.length; i++) data[i] = (i % w) / (w - 1);
  return data;
}

describe('openSegmenter', () => {
  it('segments a volume larger than the patch with windows of the training patch', async () => {
    const runs: number[][] = [];
    const segmenter = await openSegmenter({
      bytes: fixed,
      source: 'seg.onnx',
      providers: ['cpu'],
      open: async () => thresholdHandler(false, runs),
    });
    expect(segmenter.contract.task).toBe('segment');
    const data = ramp(6, 5, 9);
    const result = await segmenter.segment({ data, dims: [6, 5, 9] }, { batch: 2 });
    expect(result.dims).toEqual([6, 5, 9]);
    expect(result.roi).toEqual([4, 4, 4]);
    expect(result.probabilities).toBeUndefined();
    expect(Array.from(result.labels)).toEqual(Array.from(data, (v) => (v > 0.5 ? 1 : 0)));
    expect(runs.every((d) => d.slice(1).join() === '4,4,4,1')).toBe(true);
    expect(runs.reduce((n, d) => n + (d[0] as number), 0)).toBe(result.windows);
    await expect(segmenter.segment({ data, dims: [6, 5, 9] }, { roi: [6, 5, 9] })).rejects.toThrow(
      "segment: roi [6, 5, 9] does not fit the model: its graph takes its training patch [4, 4, 4] only ('conv3d.free_size' is false)",
    );
    await segmenter.dispose();
    await expect(segmenter.segment({ data, dims: [6, 5, 9] })).rejects.toThrow(
      'segment: the segmenter has been disposed',
    );
  });

  it('runs a free-size model on the whole volume at once, or on windows when given a roi', async () => {
    const runs: number[][] = [];
    const segmenter = await openSegmenter({
      bytes: free,
      source: 'free.onnx',
      providers: ['cpu'],
      open: async () => thresholdHandler(true, runs),
    });
    const data = ramp(3, 7, 11);
    const whole = await segmenter.segment({ data, dims: [3, 7, 11, 1] }, { output: 'probabilities' });
    expect(runs).toEqual([[1, 3, 7, 11, 1]]);
    expect(whole.windows).toBe(1);
    expect(whole.probabilities?.length).toBe(3 * 7 * 11 * 2);
    const windowed = await segmenter.segment({ data, dims: [3, 7, 11] }, { roi: [2, 4, 4], overlap: 0.5 });
    expect(windowed.windows).toBeGreaterThan(1);
    expect(windowed.labels).toEqual(whole.labels);
    await segmenter.dispose();
  });

  it('refuses bad volumes with one line, before queueing', async () => {
    const segmenter = await openSegmenter({
      bytes: fixed,
      source: 'seg.onnx',
      providers: ['cpu'],
      open: async () => thresholdHandler(false),
    });
    await expect(segmenter.segment({ data: new Float32Array(8), dims: [2, 2, 2, 3] })).rejects.toThrow(
      'segment: volume dims [2, 2, 2, 3]; expected a volume { data: Float32Array | Float64Array, dims: [D, H, W] }',
    );
    await expect(segmenter.segment({ data: new Float32Array(7), dims: [2, 2, 2] })).rejects.toThrow(
      'segment: volume data has 7 values but dims [2, 2, 2] need 8',
    );
    const nan = new Float32Array(8);
    nan[5] = Number.NaN;
    await expect(segmenter.segment({ data: nan, dims: [2, 2, 2] })).rejects.toThrow(
      'segment: volume value 5 is NaN; expected finite values',
    );
    await segmenter.dispose();
  });

  it("refuses a classifier's file, and the classifier API refuses a segmenter's, each in one line", async () => {
    let opened = 0;
    const open = async () => {
      opened++;
      return thresholdHandler(false);
    };
    await expect(
      openSegmenter({ bytes: classifierBytes, source: 'cls.onnx', providers: ['cpu'], open }),
    ).rejects.toThrow(
      /^cls.onnx: is a classifier \('conv3d.task' is 'classify'\), not a segmenter; open it as a classifier$/,
    );
    await expect(
      openClassifier({ bytes: fixed, source: 'seg.onnx', providers: ['cpu'], open }),
    ).rejects.toThrow(
      /^seg.onnx: is a segmenter \('conv3d.task' is 'segment'\), not a classifier; open it as a segmenter$/,
    );
    expect(opened).toBe(0);
  });

  it('falls back to the next provider as the classifier does', async () => {
    const segmenter = await openSegmenter({
      bytes: fixed,
      source: 'seg.onnx',
      providers: ['gpu', 'cpu'],
      open: async (_, provider) => {
        if (provider === 'gpu') throw new Error('no GPU\nmore detail');
        return thresholdHandler(false);
      },
    });
    expect(segmenter.provider).toBe('cpu');
    await segmenter.dispose();
  });
});
