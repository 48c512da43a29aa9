// Ensembles as one file: its output is the mean of the members' own files on onnxruntime-node (within 1e-6), with
// raw rows in as well; it passes onnx.checker; the contract records the members; members that do not share the
// contract are refused with one line naming the run.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  contractFromMetadata,
  contractToMetadata,
  defineContract,
  METADATA_KEYS,
  preprocessBatch,
  SEED_CONTRACT,
} from '@conv3d/core';
import { saveModelToDir } from '@conv3d/train/model-io';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import { decodeModel, ENSEMBLE_OUTPUT, exportEnsembleFile, exportModelFile } from '../src/index.js';
import { checkWithOnnxChecker, maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { realisticRawRows } from './helpers/raw-rows.js';
import { randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

const ROWS = 12;
const TOLERANCE = 1e-6;
let root: string;
const runs: string[] = [];

/** A small classifier of the seed contract (conv, BN, pool, dense): members differ in weights and widths. */
function member(filters: number, seed: number, contract = SEED_CONTRACT): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv3d({ filters, kernelSize: 3, strides: 2, inputShape: [...contract.inputShape] }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: contract.labels.length, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, seed);
  model.setUserDefinedMetadata({ conv3d: contractToMetadata(contract) });
  return model;
}

async function saveRun(name: string, model: tf.LayersModel, accuracy?: number): Promise<string> {
  const dir = join(root, name);
  await saveModelToDir(model, dir);
  if (accuracy !== undefined) {
    await writeFile(join(dir, 'metrics.json'), JSON.stringify({ test: { accuracy } }));
  }
  model.dispose();
  return dir;
}

beforeAll(async () => {
  await useCpuBackend();
  root = await mkdtemp(join(tmpdir(), 'export-onnx-ensemble-'));
  runs.push(await saveRun('run-a', member(4, 1), 0.81));
  runs.push(await saveRun('run-b', member(6, 2), 0.83));
  runs.push(await saveRun('run-c', member(5, 3)));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const raw = realisticRawRows(ROWS, 7);
const inputs = preprocessBatch(SEED_CONTRACT, raw, ROWS);
const shape = [ROWS, ...SEED_CONTRACT.inputShape];

/** The mean of the members' own exported files on onnxruntime-node: the reference. */
async function membersMean(): Promise<Float32Array> {
  const mean = new Float32Array(ROWS * 10);
  for (const [i, run] of runs.entries()) {
    const out = join(root, `member-${i}.onnx`);
    await exportModelFile(run, out);
    const probs = await runOnnx(new Uint8Array(await readFile(out)), inputs, shape);
    probs.forEach((p, j) => {
      mean[j] = (mean[j] as number) + p / runs.length;
    });
  }
  return mean;
}

describe('conv3d-export RUN_A RUN_B RUN_C', () => {
  it('writes one file whose output is the mean of the members’ probabilities, raw rows in or not', async () => {
    const plain = join(root, 'ensemble.onnx');
    const embedded = join(root, 'ensemble-raw.onnx');
    const lines: string[] = [];
    const io = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    expect(await runCli([...runs, '--out', plain], io)).toBe(0);
    expect(await runCli([...runs, '--out', embedded, '--embed-preprocessing'], io)).toBe(0);
    expect(lines[0]).toMatch(/the mean of 3 members \(run-a 81\.00 %, run-b 83\.00 %, run-c unknown\)/);
    const reference = await membersMean();
    const plainBytes = new Uint8Array(await readFile(plain));
    const embeddedBytes = new Uint8Array(await readFile(embedded));
    const ours = await runOnnx(plainBytes, inputs, shape);
    expect(maxAbsDiff(ours, reference)).toBeLessThanOrEqual(TOLERANCE);
    expect(
      maxAbsDiff(await runOnnx(embeddedBytes, raw, [ROWS, raw.length / ROWS]), reference),
    ).toBeLessThanOrEqual(TOLERANCE);
    // Not any single member: the mean differs from each of them by far more than the tolerance.
    const first = await runOnnx(new Uint8Array(await readFile(join(root, 'member-0.onnx'))), inputs, shape);
    expect(maxAbsDiff(ours, first)).toBeGreaterThan(1e-3);
    expect(await checkWithOnnxChecker([plainBytes, embeddedBytes])).toEqual(['ok', 'ok']);

    const model = decodeModel(plainBytes);
    expect(model.graph.output.map((o) => o.name)).toEqual([ENSEMBLE_OUTPUT]);
    expect(model.graph.node.filter((n) => n.op_type === 'Mean')).toHaveLength(1);
    const meta = Object.fromEntries(model.metadata_props.map((p) => [p.key, p.value]));
    expect(contractFromMetadata(meta, 'ensemble.onnx').members).toEqual([
      { name: 'run-a', testAccuracy: 0.81 },
      { name: 'run-b', testAccuracy: 0.83 },
      { name: 'run-c' },
    ]);
    expect(meta[METADATA_KEYS.testAccuracy]).toBeUndefined();
    const rawMeta = Object.fromEntries(
      decodeModel(embeddedBytes).metadata_props.map((p) => [p.key, p.value]),
    );
    expect(rawMeta[METADATA_KEYS.inputKind]).toBe('raw');
    // One copy of the preprocessing, shared by the members.
    expect(decodeModel(embeddedBytes).graph.node.filter((n) => n.op_type === 'Gather')).toHaveLength(1);
  }, 120_000);

  it('an ensemble run folder expands to its members and brings the ensemble’s test accuracy', async () => {
    const dir = join(root, 'ensemble-run');
    await saveRun('ensemble-run', member(4, 9));
    await writeFile(
      join(dir, 'run.json'),
      JSON.stringify({
        ensemble: {
          members: runs.slice(0, 2).map((r) => ({ runDir: join('..', r.split('/').pop() as string) })),
        },
      }),
    );
    await writeFile(join(dir, 'metrics.json'), JSON.stringify({ test: { accuracy: 0.875 } }));
    const out = join(root, 'from-run.onnx');
    const lines: string[] = [];
    expect(
      await runCli([dir, '--out', out], { log: (l) => lines.push(l), error: (l) => lines.push(l) }),
    ).toBe(0);
    expect(lines[0]).toMatch(/mean of 2 members .* test accuracy 87\.50 %/);
    const meta = Object.fromEntries(
      decodeModel(new Uint8Array(await readFile(out))).metadata_props.map((p) => [p.key, p.value]),
    );
    expect(meta[METADATA_KEYS.testAccuracy]).toBe('0.875');
  });

  it('refuses members that do not share the contract, with one line naming the run and the key', async () => {
    const other = defineContract({ ...SEED_CONTRACT, preprocessing: 'minmax', rawChannels: 3 });
    const odd = await saveRun('odd', member(4, 4, other));
    const errors: string[] = [];
    const out = join(root, 'refused.onnx');
    expect(
      await runCli([runs[0] as string, odd, '--out', out], { log: () => {}, error: (l) => errors.push(l) }),
    ).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/odd: its contract differs from .*run-a's \('conv3d\.raw_channels' 3 vs 1\)/);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
    await expect(exportEnsembleFile([runs[0] as string], out)).rejects.toThrow(/at least 2 members, got 1/);
  });
});
