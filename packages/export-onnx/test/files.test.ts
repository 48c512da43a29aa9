import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractToMetadata, METADATA_KEYS, Rng, SEED_CONTRACT } from '@conv3d/core';
import { GlobalAveragePooling3D } from '@conv3d/train/layers';
import { saveModelToDir as saveModelDir } from '@conv3d/train/model-io';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import { convertModel, decodeModel, exportModelFile } from '../src/index.js';
import { maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { TOLERANCE } from './helpers/parity.js';
import { realisticInputs, seedModel } from './helpers/seed-model.js';
import { predictCpu, randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

let root: string;
let runDir: string;
let model: tf.Sequential;

beforeAll(async () => {
  await useCpuBackend();
  root = await mkdtemp(join(tmpdir(), 'export-onnx-files-'));
  runDir = join(root, 'run');
  model = seedModel(true);
  randomizeWeights(model, 81);
  await saveModelDir(model, runDir);
  await writeFile(join(runDir, 'metrics.json'), JSON.stringify({ testAccuracy: 0.7125, testLoss: 0.8 }));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Copies the saved run into a fresh folder and lets `damage` break it. */
async function damagedRun(name: string, damage: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(root, name);
  await saveModelDir(model, dir);
  await damage(dir);
  return dir;
}

describe('exportModelFile', () => {
  it('exports a run folder: same numbers as the in-memory model, test accuracy from metrics.json', async () => {
    const out = join(root, 'out', 'model.onnx');
    const result = await exportModelFile(runDir, out);
    expect(result.testAccuracy).toBe(0.7125);
    const bytes = new Uint8Array(await readFile(out));
    expect(bytes.length).toBe(result.bytes);
    const meta = Object.fromEntries(decodeModel(bytes).metadata_props.map((p) => [p.key, p.value]));
    expect(meta[METADATA_KEYS.testAccuracy]).toBe('0.7125');
    const input = realisticInputs(6, 82);
    const shape = [6, ...SEED_CONTRACT.inputShape];
    expect(
      maxAbsDiff(predictCpu(model, input, shape), await runOnnx(bytes, input, shape)),
    ).toBeLessThanOrEqual(TOLERANCE);
    // Loading from disk must not change a single weight.
    expect(Buffer.from(bytes).equals(convertModel(model, { testAccuracy: 0.7125 }).bytes)).toBe(true);
  });

  it("reads @conv3d/train's metrics.json layout ({ test: { accuracy } })", async () => {
    const dir = await damagedRun('train-metrics', (d) =>
      writeFile(join(d, 'metrics.json'), JSON.stringify({ test: { loss: 0.9, accuracy: 0.655 } })),
    );
    expect((await exportModelFile(dir, join(dir, 'model.onnx'))).testAccuracy).toBe(0.655);
  });

  it('keeps the contract a model carries in its user-defined metadata (as @conv3d/train saves it)', async () => {
    const carrying = seedModel();
    randomizeWeights(carrying, 84);
    carrying.setUserDefinedMetadata({ conv3d: contractToMetadata({ ...SEED_CONTRACT, testAccuracy: 0.5 }) });
    expect(convertModel(carrying).summary.metadata[METADATA_KEYS.testAccuracy]).toBe('0.5');
    const dir = join(root, 'carried');
    await saveModelDir(carrying, dir);
    const result = await exportModelFile(dir, join(dir, 'model.onnx'));
    expect(result.testAccuracy).toBeUndefined();
    expect(result.metadata).toEqual(contractToMetadata({ ...SEED_CONTRACT, testAccuracy: 0.5 }));
  });

  it('loads a saved model with GlobalAveragePooling3D, the Keras layer tfjs lacks (@conv3d/train/layers, loaded with the model IO)', async () => {
    const gap = tf.sequential({
      layers: [
        tf.layers.conv3d({ filters: 4, kernelSize: 3, inputShape: [6, 5, 7, 2], activation: 'relu' }),
        new GlobalAveragePooling3D({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    randomizeWeights(gap, 85);
    const dir = join(root, 'gap3d');
    await saveModelDir(gap, dir);
    await exportModelFile(dir, join(dir, 'model.onnx'));
    const bytes = new Uint8Array(await readFile(join(dir, 'model.onnx')));
    const input = new Rng(86).floats(4 * 6 * 5 * 7 * 2);
    const shape = [4, 6, 5, 7, 2];
    expect(maxAbsDiff(predictCpu(gap, input, shape), await runOnnx(bytes, input, shape))).toBeLessThanOrEqual(
      TOLERANCE,
    );
  });

  it('accepts a model.json path; no metrics.json means no test accuracy', async () => {
    const dir = await damagedRun('no-metrics', async () => undefined);
    const result = await exportModelFile(join(dir, 'model.json'), join(dir, 'model.onnx'));
    expect(result.testAccuracy).toBeUndefined();
    expect(result.metadata[METADATA_KEYS.testAccuracy]).toBeUndefined();
    expect(result.metadata[METADATA_KEYS.labels]).toBeDefined();
  });
});

describe('damaged inputs give one-line errors naming the file', () => {
  const cases: [string, (dir: string) => Promise<void>, RegExp][] = [
    [
      'corrupt model.json',
      (d) => writeFile(join(d, 'model.json'), '{"modelTopology": {'),
      /model\.json: not valid JSON/,
    ],
    [
      'model.json without topology',
      (d) => writeFile(join(d, 'model.json'), '{"weightsManifest": []}'),
      /model\.json: no 'modelTopology'/,
    ],
    ['missing model.json', (d) => rm(join(d, 'model.json')), /not found/],
    ['missing weights.bin', (d) => rm(join(d, 'weights.bin')), /weights\.bin: not found/],
    [
      'short weights.bin',
      async (d) => {
        const w = await readFile(join(d, 'weights.bin'));
        await writeFile(join(d, 'weights.bin'), w.subarray(0, w.length - 100));
      },
      /weights\.bin: \d+ bytes, but model\.json's weightsManifest needs \d+ \(truncated\)/,
    ],
    [
      'unknown layer class in model.json',
      async (d) => {
        const text = await readFile(join(d, 'model.json'), 'utf8');
        await writeFile(join(d, 'model.json'), text.replace('"MaxPooling3D"', '"FancyPooling3D"'));
      },
      /model\.json: Unknown layer: FancyPooling3D\.$/,
    ],
    [
      'corrupt metrics.json',
      (d) => writeFile(join(d, 'metrics.json'), 'nan'),
      /metrics\.json: not valid JSON/,
    ],
    [
      'metrics.json accuracy out of range',
      (d) => writeFile(join(d, 'metrics.json'), '{"testAccuracy": 68.7}'),
      /metrics\.json: 'testAccuracy' must be a number in \[0, 1\]/,
    ],
  ];
  it.each(cases)('%s', async (name, damage, message) => {
    const dir = await damagedRun(name.replaceAll(' ', '-'), damage);
    const out = join(dir, 'model.onnx');
    const error = await exportModelFile(dir, out).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe('ExportError');
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
    // Nothing half-written.
    expect((await readdir(dir)).filter((f) => f.includes('.onnx'))).toEqual([]);
  });
});

describe('CLI', () => {
  const capture = () => {
    const lines: { log: string[]; error: string[] } = { log: [], error: [] };
    return {
      lines,
      io: { log: (l: string) => lines.log.push(l), error: (l: string) => lines.error.push(l) },
    };
  };

  it('writes the file atomically and prints size and node count', async () => {
    const out = join(root, 'cli', 'seed.onnx');
    const { lines, io } = capture();
    expect(await runCli([runDir, '--out', out], io)).toBe(0);
    const size = (await readFile(out)).length;
    expect(lines.log).toEqual([
      expect.stringMatching(new RegExp(`^wrote .*seed\\.onnx: ${size} bytes, 13 nodes \\(`)),
      // The run's contract states the input shape, so the file keeps it and says why.
      expect.stringMatching(
        /^input size: fixed \(\[N, 16, 16, 16, 3\]\): the model contract states the input shape \[16, 16, 16, 3\]$/,
      ),
    ]);
    expect(lines.log[0]).toContain('test accuracy 71.25 %');
    expect(await readdir(join(root, 'cli'))).toEqual(['seed.onnx']);
  });

  it('the installed command prints only its result line (no tfjs banner on stderr)', () => {
    const bin = fileURLToPath(new URL('../bin/conv3d-export.js', import.meta.url));
    const out = join(root, 'cli-bin', 'bin.onnx');
    const result = spawnSync(process.execPath, [bin, runDir, '--out', out], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^wrote .*bin\.onnx: \d+ bytes, 13 nodes .*test accuracy 71\.25 %\ninput size: fixed .*\n$/,
    );
    expect(result.stderr).toBe('');
  });

  it.each([
    [['/nonexistent/run'], 1, /^conv3d-export: \/nonexistent\/run: not found/],
    [[], 2, /^conv3d-export: expected at least one input, got 0 \(see conv3d-export --help\)$/],
    [['a', '--embed-preprocessing=yes'], 2, /^conv3d-export: .*--embed-preprocessing/],
    [['a', '--frobnicate'], 2, /^conv3d-export: Unknown option '--frobnicate'/],
    [
      ['a', '--opencv-compatible'],
      2,
      /^conv3d-export: --opencv-compatible applies to --embed-preprocessing only; add --embed-preprocessing \(see conv3d-export --help\)$/,
    ],
    [
      ['a', '--input-shape', '16,x,16,3'],
      2,
      /^conv3d-export: --input-shape '16,x,16,3' is not a comma-separated list of positive integers \(e\.g\. 64,64,64,1\) \(see conv3d-export --help\)$/,
    ],
    [
      ['a', '--input-shape', '8,8,8,3', '--fixed-size'],
      2,
      /^conv3d-export: --input-shape already fixes the size; drop --fixed-size/,
    ],
    [
      ['a', '--preprocessing', 'viridis'],
      2,
      /^conv3d-export: --preprocessing 'viridis' is not one of oranges-rgb, minmax, none \(see conv3d-export --help\)$/,
    ],
  ] as const)('%j → exit %i with one line', async (argv, code, message) => {
    const { lines, io } = capture();
    expect(await runCli(argv, io)).toBe(code);
    expect(lines.error).toEqual([expect.stringMatching(message)]);
  });

  it('--help prints the usage with the embedding flags on stdout and exits 0', async () => {
    const { lines, io } = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(lines.log.join('\n')).toMatch(
      /--embed-preprocessing[\s\S]*--preprocessing ID .*oranges-rgb, minmax, none/,
    );
    expect(lines.error).toEqual([]);
  });

  it('--embed-preprocessing writes a raw-input file with input_kind raw and says so', async () => {
    const out = join(root, 'cli-embed', 'raw.onnx');
    const { lines, io } = capture();
    expect(await runCli([runDir, '--out', out, '--embed-preprocessing'], io)).toBe(0);
    expect(lines.log[0]).toMatch(
      /^wrote .*raw\.onnx: \d+ bytes, 26 nodes .*, raw input \[N, 4096\] with oranges-rgb embedded$/,
    );
    const { graph, metadata_props } = decodeModel(new Uint8Array(await readFile(out)));
    expect(graph.input.map((i) => i.name)).toEqual(['raw_voxels']);
    const meta = Object.fromEntries(metadata_props.map((p) => [p.key, p.value]));
    expect([meta['conv3d.input_kind'], meta['conv3d.input_shape']]).toEqual(['raw', '[4096]']);
  });

  it('--embed-preprocessing --opencv-compatible writes the Gather-free raw-input file', async () => {
    const out = join(root, 'cli-embed-opencv', 'raw.onnx');
    const { lines, io } = capture();
    expect(await runCli([runDir, '--out', out, '--embed-preprocessing', '--opencv-compatible'], io)).toBe(0);
    expect(lines.log[0]).toMatch(/Conv×\d+ .*raw input \[N, 4096\] with oranges-rgb embedded$/);
    const { graph } = decodeModel(new Uint8Array(await readFile(out)));
    expect(graph.node.map((n) => n.op_type)).not.toContain('Gather');
    expect(graph.input.map((i) => i.name)).toEqual(['raw_voxels']);
  });

  it('--embed-preprocessing on a model without a contract exits 1 with one line and writes nothing', async () => {
    const dense = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const dir = join(root, 'cli-no-contract');
    await saveModelDir(dense, dir);
    const { lines, io } = capture();
    expect(await runCli([dir, '--out', join(dir, 'model.onnx'), '--embed-preprocessing'], io)).toBe(1);
    expect(lines.error).toEqual([
      expect.stringMatching(/^conv3d-export: embedPreprocessing needs a model contract/),
    ]);
    expect((await readdir(dir)).filter((f) => f.includes('.onnx'))).toEqual([]);
  });

  it('a damaged run exits 1 and leaves no output file', async () => {
    const dir = await damagedRun('cli-damaged', (d) => rm(join(d, 'weights.bin')));
    const out = join(dir, 'model.onnx');
    const { lines, io } = capture();
    expect(await runCli([dir, '--out', out], io)).toBe(1);
    expect(lines.error[0]).toMatch(/weights\.bin: not found/);
    expect((await readdir(dir)).filter((f) => f.includes('.onnx'))).toEqual([]);
  });
});
