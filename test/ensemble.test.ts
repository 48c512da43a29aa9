// An ensemble file (`conv3d-export RUN_A RUN_B …`) through the runtimes' own classifiers: @conv3d/infer-node and
// @conv3d/infer-web (wasm in Node) load it as any classifier, plain and with embedded preprocessing, and give
// the mean of the members' tfjs cpu probabilities within the parity tolerance.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contractToMetadata, preprocessBatch, Rng, SEED_CONTRACT } from '@conv3d/core';
import { exportEnsembleFile } from '@conv3d/export-onnx';
import { load as loadNode } from '@conv3d/infer-node';
import { load as loadWeb } from '@conv3d/infer-web';
import { saveModelToDir } from '@conv3d/train/model-io';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROWS = 16;
const TOLERANCE = 1e-5;
let root: string;
const runs: string[] = [];
const reference = new Float32Array(ROWS * 10);
const rows: Float64Array[] = [];

/** 3D MNIST-like raw rows: a few hundred occupied voxels of point counts, divided by the row's max. */
function rawRow(rng: Rng): Float64Array {
  const row = new Float64Array(SEED_CONTRACT.rawLength);
  for (let i = rng.int(150, 400); i > 0; i--) row[rng.int(0, row.length - 1)] = rng.int(1, 40);
  const max = Math.max(...row);
  return row.map((v) => v / max);
}

function member(filters: number, seed: number): tf.LayersModel {
  const init = { kernelInitializer: tf.initializers.glorotUniform({ seed }) };
  const model = tf.sequential({
    layers: [
      tf.layers.conv3d({
        filters,
        kernelSize: 3,
        strides: 2,
        activation: 'relu',
        inputShape: [16, 16, 16, 3],
        ...init,
      }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', ...init }),
    ],
  });
  model.setUserDefinedMetadata({ conv3d: contractToMetadata(SEED_CONTRACT) });
  return model;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'parity-ensemble-'));
  const rng = new Rng(2512);
  for (let i = 0; i < ROWS; i++) rows.push(rawRow(rng));
  const flat = new Float64Array(ROWS * SEED_CONTRACT.rawLength);
  rows.forEach((r, i) => {
    flat.set(r, i * r.length);
  });
  const x = tf.tensor(preprocessBatch(SEED_CONTRACT, flat, ROWS), [ROWS, ...SEED_CONTRACT.inputShape]);
  for (const [i, filters] of [4, 6, 5].entries()) {
    const model = member(filters, 40 + i);
    const probs = (model.predict(x) as tf.Tensor).dataSync();
    probs.forEach((p, j) => {
      reference[j] = (reference[j] as number) + p / 3;
    });
    const dir = join(root, `member-${i}`);
    await saveModelToDir(model, dir);
    runs.push(dir);
    model.dispose();
  }
  x.dispose();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('an ensemble file on the runtimes', () => {
  for (const embed of [false, true]) {
    it(`infer-node and infer-web (wasm) give the members' mean${embed ? ', raw rows in' : ''}`, async () => {
      const out = join(root, embed ? 'ensemble-raw.onnx' : 'ensemble.onnx');
      await exportEnsembleFile(runs, out, { embedPreprocessing: embed });
      const bytes = new Uint8Array(await readFile(out));
      for (const load of [() => loadNode(out, { device: 'cpu' }), () => loadWeb(bytes, { device: 'wasm' })]) {
        const classifier = await load();
        try {
          const predictions = await classifier.predict(rows);
          let max = 0;
          predictions.forEach((p, r) => {
            p.probabilities.forEach((v, k) => {
              max = Math.max(max, Math.abs(v - (reference[r * 10 + k] as number)));
            });
          });
          expect(max).toBeLessThanOrEqual(TOLERANCE);
        } finally {
          await classifier.dispose();
        }
      }
    }, 120_000);
  }
});
