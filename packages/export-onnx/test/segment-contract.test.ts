// The segment contract at export: carried by a model trained here, given to an outside fully convolutional model
// (`--task segment --labels … --preprocessing …`), checked against the model's [N, D, H, W, K] output, and read back
// by core's checkModel from onnxruntime's view of the graph.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkModel,
  contractFromMetadata,
  contractToMetadata,
  defineContract,
  METADATA_KEYS,
  Rng,
} from '@conv3d/core';
import { saveModelToDir } from '@conv3d/train/model-io';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import { convertModel, decodeModel } from '../src/index.js';
import { maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { predictCpu, randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

const GRID: [number, number, number] = [6, 8, 10];

/** A fully convolutional segmenter: Conv3D 'same' ×2, a 1³ Conv3D to 3 classes, per-voxel softmax (axis −1). */
function segmenter(name: string): tf.LayersModel {
  const input = tf.input({ shape: [...GRID, 1] });
  let x = tf.layers.conv3d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input);
  x = tf.layers
    .conv3d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu' })
    .apply(x);
  x = tf.layers.conv3d({ filters: 3, kernelSize: 1 }).apply(x);
  const output = tf.layers.softmax({ axis: -1 }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name });
  randomizeWeights(model, 11);
  return model;
}

const contract = defineContract({
  task: 'segment',
  labels: ['background', 'liver', 'spleen'],
  grid: GRID,
  rawChannels: 1,
  preprocessing: 'minmax',
  inputKind: 'preprocessed',
  segmentation: { output: 'probabilities', freeSize: false },
});

let root: string;
beforeAll(async () => {
  await useCpuBackend();
  root = await mkdtemp(join(tmpdir(), 'export-seg-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const metadataOf = (bytes: Uint8Array) =>
  Object.fromEntries(decodeModel(bytes).metadata_props.map((p) => [p.key, p.value]));

describe('segment contract at export', () => {
  it("writes the contract a trained segmenter carries; the graph matches tfjs and core's checkModel", async () => {
    const model = segmenter('trained');
    model.setUserDefinedMetadata({ conv3d: contractToMetadata(contract) });
    const { bytes } = convertModel(model);
    const meta = metadataOf(bytes);
    expect(meta[METADATA_KEYS.task]).toBe('segment');
    expect(meta[METADATA_KEYS.voxelOutput]).toBe('probabilities');
    // Conv3D 'same' layers only: the exporter gives the graph symbolic D, H, W, and the contract says so.
    expect(meta[METADATA_KEYS.freeSize]).toBe('true');
    const session = await ort.InferenceSession.create(bytes);
    const checked = checkModel(meta, session.inputMetadata, session.outputMetadata, 'seg.onnx');
    expect(checked.contract.labels).toEqual(contract.labels);
    await session.release();
    const input = new Rng(3).floats(2 * 6 * 8 * 10, 0, 1);
    const shape = [2, ...GRID, 1];
    expect(maxAbsDiff(predictCpu(model, input, shape), await runOnnx(bytes, input, shape))).toBeLessThan(
      1e-5,
    );
    model.dispose();
  });

  it('gives an outside model a contract from the command line, and says so when it has none', async () => {
    const model = segmenter('outside');
    const dir = join(root, 'outside');
    await saveModelToDir(model, dir);
    model.dispose();
    const lines: string[] = [];
    const io = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(`E ${l}`) };
    const out = join(root, 'outside.onnx');
    const code = await runCli(
      [dir, '--out', out, '--task', 'segment', '--labels', 'bg,a,b', '--preprocessing', 'minmax'],
      io,
    );
    expect(lines.join('\n')).toMatch(
      /segmenter: 3 labels per voxel, output \[N, D, H, W, K\] probabilities, any volume size/,
    );
    expect(code).toBe(0);
    const read = contractFromMetadata(metadataOf(new Uint8Array(await readFile(out))), out);
    expect(read).toMatchObject({
      task: 'segment',
      labels: ['bg', 'a', 'b'],
      grid: GRID,
      preprocessing: 'minmax',
    });

    lines.length = 0;
    const bare = join(root, 'bare.onnx');
    expect(await runCli([dir, '--out', bare], io)).toBe(0);
    expect(lines[2]).toBe(
      `no conv3d contract found in ${join(dir, 'model.json')}: wrote a plain ONNX (no conv3d.* metadata), which conv3d's runtimes refuse; give one with --task classify|segment --labels a,b,c [--preprocessing ID]`,
    );
    lines.length = 0;
    expect(
      await runCli([dir, '--out', bare, '--fixed-size', '--task', 'segment', '--labels', 'bg,a,b'], io),
    ).toBe(0);
    expect(lines[0]).toMatch(/patch \[6,8,10\] \(larger volumes in sliding windows\)$/);

    lines.length = 0;
    expect(await runCli([dir, '--out', bare, '--task', 'segment', '--labels', 'bg,a'], io)).toBe(1);
    expect(lines).toEqual([
      `E conv3d-export: a segmenter's output must be [N, D, H, W, K] on its input's grid with K = 2 labels, [N, 6, 8, 10, 2]; model 'outside' outputs [null,6,8,10,3]`,
    ]);
    lines.length = 0;
    expect(await runCli([dir, '--task', 'segment'], io)).toBe(2);
    expect(lines[0]).toMatch(/--task needs --labels a,b,c/);

    // A model trained elsewhere in FreeSurfer's conformed space: scans are reoriented to LIA, labels back.
    lines.length = 0;
    const lia = join(root, 'lia.onnx');
    const args = [dir, '--out', lia, '--task', 'segment', '--labels', 'bg,a,b', '--orientation'];
    expect(await runCli([...args, 'LIA'], io)).toBe(0);
    const liaContract = contractFromMetadata(metadataOf(new Uint8Array(await readFile(lia))), lia);
    expect(liaContract.preparation).toEqual({ orientation: 'LIA', intensity: { kind: 'none' } });
    lines.length = 0;
    expect(await runCli([...args, 'LIR'], io)).toBe(2);
    expect(lines).toEqual([
      "E conv3d-export: --orientation must be 'stored' or 3 axis codes, one of L/R, P/A, I/S each (e.g. RAS, LIA), got 'LIR' (see conv3d-export --help)",
    ]);
  });

  it('refuses embedded preprocessing for a segmenter, and a task for a model that has a contract', () => {
    const model = segmenter('trained2');
    model.setUserDefinedMetadata({ conv3d: contractToMetadata(contract) });
    expect(() => convertModel(model, { embedPreprocessing: true })).toThrow(
      /model 'trained2' is a segmenter, and segmenters take preprocessed volumes/,
    );
    expect(() =>
      convertModel(model, { contractOptions: { task: 'segment', labels: ['a', 'b', 'c'] } }),
    ).toThrow(
      "model 'trained2' already carries a contract (task 'segment'); a task and labels are for models without one",
    );
    model.dispose();
  });
});
