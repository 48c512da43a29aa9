// A U-Net trains on label volumes end to end: from the tiny graph config (configs/unet3d-tiny.json) on a tiny
// shapes-seg file, and from a model built in code. The run folder holds the segmenter's contract, per-class Dice,
// IoU and voxel confusion, and a report with slices; val_dice drives the best checkpoint; a resumed run ends where
// an uninterrupted one does; bad graph configs and task/data mismatches fail in one line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildShapesSeg } from '@conv3d/data';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadTrainConfig, parseTrainConfig, type TrainConfig } from '../src/config.js';
import type { SegmentationEvaluation } from '../src/tasks/segmentation.js';
import { type TrainOptions, train } from '../src/train.js';
import { syntheticDataset } from './synthetic.js';

const TINY = fileURLToPath(new URL('../configs/unet3d-tiny.json', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'conv3d-seg-train-'));
const data = join(root, 'seg.h5');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await buildShapesSeg(data, { seed: 3, rows: { train: 8, test: 3 }, grid: [4, 8, 8] });
});

const tiny = (): TrainConfig => loadTrainConfig(TINY);
const run = (name: string, options: Partial<TrainOptions> = {}) =>
  train({ config: tiny(), data, backend: 'cpu', outDir: join(root, name), log: () => {}, ...options });

describe('segmentation training', () => {
  test('the tiny U-Net config writes a segmenter: contract, per-class Dice, IoU, confusion, report slices', async () => {
    const lines: string[] = [];
    const result = await run('tiny', { log: (l) => lines.push(l) });
    const test = result.test as SegmentationEvaluation;
    expect(test.dice).toHaveLength(4);
    expect(test.count).toBe(3);
    // Every test voxel is counted once in the confusion matrix.
    expect(test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(3 * 4 * 8 * 8);
    const meta = JSON.parse(readFileSync(join(result.outDir, 'model.json'), 'utf8')).userDefinedMetadata
      .conv3d;
    expect(meta).toMatchObject({
      'conv3d.task': 'segment',
      'conv3d.grid': '[4,8,8]',
      'conv3d.labels': '["background","sphere","box","rod"]',
      'conv3d.voxel_output': 'probabilities',
    });
    const metrics = JSON.parse(readFileSync(join(result.outDir, 'metrics.json'), 'utf8')).test;
    expect(Object.keys(metrics)).toEqual(
      expect.arrayContaining(['dice', 'meanDice', 'iou', 'confusion', 'voxelAccuracy']),
    );
    expect(metrics.slices).toBeUndefined();
    const history = JSON.parse(readFileSync(join(result.outDir, 'history.json'), 'utf8'));
    expect(history.val_dice).toHaveLength(2);
    expect(history.val_dice_per_class[0]).toHaveLength(4);
    expect(lines.some((l) => /^Epoch 2\/2 .* val_dice: \d\.\d{4} \(background /.test(l))).toBe(true);
    const report = readFileSync(join(result.outDir, 'report.html'), 'utf8');
    expect(report).toContain('<svg');
    expect(report).toContain('prediction');
    expect((report.match(/slice 2 of 4/g) ?? []).length).toBe(3);
    result.dispose();
  });

  test('seeded and resumable: 1 epoch then --resume to 2 equals 2 straight', async () => {
    const straight = await run('straight');
    const first = await run('resumed', { epochs: 1 });
    first.dispose();
    const resumed = await run('resumed', { resume: true });
    expect(resumed.history.loss).toEqual(straight.history.loss);
    expect(resumed.model.getWeights().map((w) => [...w.dataSync()])).toEqual(
      straight.model.getWeights().map((w) => [...w.dataSync()]),
    );
    straight.dispose();
    resumed.dispose();
  });

  test('label volumes stream from the file with the same results as from memory', async () => {
    const memory = await run('memory', { epochs: 1, stream: false });
    const streamed = await run('streamed', { epochs: 1, stream: true, streamThread: false });
    expect(streamed.run.loading.mode).toBe('stream');
    expect(streamed.history).toEqual(memory.history);
    expect((streamed.test as SegmentationEvaluation).dice).toEqual(
      (memory.test as SegmentationEvaluation).dice,
    );
    memory.dispose();
    streamed.dispose();
  });

  test('the best checkpoint can monitor val_dice', async () => {
    const config = { ...tiny(), epochs: 3 };
    config.callbacks = { bestCheckpoint: { monitor: 'val_dice', mode: 'auto' } };
    const result = await run('best', { config });
    const dice = result.history.val_dice as number[];
    expect(result.run.callbacks?.bestEpoch).toBe(dice.indexOf(Math.max(...dice)) + 1);
    result.dispose();
  });

  test('a model built in code trains through the API', async () => {
    const input = tf.input({ shape: [4, 8, 8, 1] });
    const a = tf.layers
      .conv3d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
      .apply(input);
    const b = tf.layers.conv3d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(a);
    const sum = tf.layers.add().apply([a, b] as tf.SymbolicTensor[]);
    const out = tf.layers.conv3d({ filters: 4, kernelSize: 1, activation: 'softmax' }).apply(sum);
    const model = tf.model({ inputs: input, outputs: out as tf.SymbolicTensor, name: 'residual' });
    const result = await run('code', { model, epochs: 1 });
    expect(result.model).toBe(model);
    expect(Number.isFinite(result.history.loss[0])).toBe(true);
    result.dispose();
    const wrong = tf.model({
      inputs: input,
      outputs: tf.layers.conv3d({ filters: 3, kernelSize: 1 }).apply(input) as tf.SymbolicTensor,
    });
    await expect(run('wrong', { model: wrong })).rejects.toThrow(
      /the given model .*output shape is \[null,4,8,8,3\], expected \[null, 4, 8, 8, 4\] \(one probability per class per voxel\)/,
    );
    wrong.dispose();
  });

  test('a per-voxel loss on a classification set, or a classification loss on label volumes, fails in one line', async () => {
    await expect(
      train({
        config: tiny(),
        data: syntheticDataset({ train: 10, test: 2 }),
        backend: 'cpu',
        outDir: join(root, 'x'),
        log: () => {},
      }),
    ).rejects.toThrow(/'loss' diceCrossentropy is per voxel, but the data holds one label per row/);
    const classify = { ...tiny(), loss: 'categoricalCrossentropy' as const };
    delete classify.segmentation;
    await expect(run('y', { config: classify })).rejects.toThrow(
      /the data holds label volumes \(a segmentation set\) but 'loss' is categoricalCrossentropy/,
    );
  });
});

describe('graph configs', () => {
  const graph = (layers: unknown[], extra: Record<string, unknown> = {}) => ({
    name: 'g',
    graph: { inputs: ['image'], layers, outputs: ['out'] },
    loss: 'dice',
    optimizer: { className: 'Adam' },
    batchSize: 2,
    epochs: 1,
    validationSplit: 0.2,
    ...extra,
  });
  const conv = (name: string, inputs?: string[]) => ({
    name,
    className: 'Conv3D',
    config: { filters: 2, kernelSize: 1 },
    ...(inputs && { inputs }),
  });

  test.each([
    [
      [conv('a'), conv('out', ['b'])],
      /graph.layers\[1\] 'out' \(Conv3D\): input 'b' is not the model input or a layer defined before it/,
    ],
    [[conv('a'), conv('a')], /graph.layers\[1\] 'a' \(Conv3D\): the name 'a' is already taken/],
    [
      [conv('a'), { name: 'out', className: 'Concatenate', inputs: ['a'] }],
      /'out' \(Concatenate\): a merge needs at least 2 inputs, got 1/,
    ],
    [
      [conv('a'), conv('b', ['image']), conv('out', ['a', 'b'])],
      /'out' \(Conv3D\): takes one input, got 2 \(a, b\)/,
    ],
    [
      [conv('a'), { name: 'out', className: 'Conv3DTranspose', config: { kernelSize: 2 } }],
      /'out' \(Conv3DTranspose\): missing required key 'filters'/,
    ],
  ])('%# is refused in one line naming the layer', (layers, message) => {
    expect(() => parseTrainConfig(graph(layers), 'g.json')).toThrow(ConfigError);
    expect(() => parseTrainConfig(graph(layers), 'g.json')).toThrow(message);
  });

  test('a config gives exactly one of layers and graph; segmentation settings need a per-voxel loss', () => {
    expect(() => parseTrainConfig(graph([conv('out')], { layers: [] }), 'g.json')).toThrow(
      /g.json: give exactly one of 'layers' \(a stack\) or 'graph'/,
    );
    expect(() =>
      parseTrainConfig(graph([conv('out')], { loss: 'categoricalCrossentropy', segmentation: {} }), 'g.json'),
    ).toThrow(/'segmentation' needs a per-voxel loss/);
    expect(() => parseTrainConfig(graph([conv('out')], { segmentation: { flip: ['w'] } }), 'g.json')).toThrow(
      /g.json: segmentation: 'flip' must be an array of distinct axes/,
    );
  });
});
