// Models not made by this project: hand-written model.json files in the Python tensorflowjs_converter's style
// (Keras 2 snake_case configs, Functional/Model class names, a nested Sequential, several shards, uint8/uint16/
// float16-quantized weights), and a model saved by tfjs in the browser `downloads` layout.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@conv3d/core';
import { Cropping3D, UpSampling3D, ZeroPadding3D } from '@conv3d/train/layers';
import { loadModelFile } from '@conv3d/train/model-io';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import { withInputShape } from '../src/input-shape.js';
import { checkWithOnnxChecker, maxAbsDiff, runOnnx } from './helpers/onnx.js';
import { TOLERANCE } from './helpers/parity.js';
import { predictCpu, randomizeWeights, useCpuBackend } from './helpers/tfjs.js';

beforeAll(useCpuBackend);

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

async function exportWithCli(modelJson: string, extra: string[] = []) {
  const out = join(await mkdtemp(join(tmpdir(), 'export-onnx-anywhere-')), 'model.onnx');
  const log: string[] = [];
  const error: string[] = [];
  const code = await runCli([modelJson, '--out', out, ...extra], {
    log: (l) => log.push(l),
    error: (l) => error.push(l),
  });
  expect(error).toEqual([]);
  expect(code).toBe(0);
  return { bytes: new Uint8Array(await readFile(out)), log };
}

/** Exports `modelJson` with the CLI and compares onnxruntime with tfjs's own load + predict of the same file. */
async function expectFileParity(modelJson: string, batch = 3) {
  const { bytes, log } = await exportWithCli(modelJson);
  expect(log).toContain(
    `no conv3d contract found in ${modelJson}: wrote a plain ONNX (no conv3d.* metadata)`,
  );
  const model = await loadModelFile(modelJson);
  const shape = [batch, ...((model.inputs[0] as tf.SymbolicTensor).shape.slice(1) as number[])];
  const input = new Rng(5).floats(
    shape.reduce((a, b) => a * b, 1),
    -1,
    1,
  );
  const expected = predictCpu(model, input, shape);
  expect(maxAbsDiff(expected, await runOnnx(bytes, input, shape))).toBeLessThanOrEqual(TOLERANCE);
  model.dispose();
  return { bytes, log };
}

describe('Python tensorflowjs_converter-style model.json files', () => {
  it('Functional, nested Sequential, two shards, uint8/uint16/float16 weights, dilated gelu conv: matches tfjs', async () => {
    const { bytes } = await expectFileParity(join(FIXTURES, 'keras-functional-quantized', 'model.json'));
    expect(await checkWithOnnxChecker([bytes])).toEqual(['ok']);
  });

  it('Model class name, Conv3D → Conv3DTranspose U-shape with a skip: matches tfjs at the saved size and is free-size', async () => {
    const { bytes, log } = await expectFileParity(join(FIXTURES, 'keras-model-3d', 'model.json'));
    expect(log).toContain('input size: free ([N, D, H, W, 2])');
    expect(await checkWithOnnxChecker([bytes])).toEqual(['ok']);
  });

  it('quantized weights are dequantized exactly as numpy does it (q·scale + min; float16 → float32)', async () => {
    for (const fixture of ['keras-functional-quantized', 'keras-model-3d']) {
      const modelJson = join(FIXTURES, fixture, 'model.json');
      const model = await loadModelFile(modelJson);
      const loaded = Object.fromEntries(
        model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]),
      );
      const reference = JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', DEQUANTIZE, modelJson], { maxBuffer: 16 << 20 }).toString(),
      ) as Record<string, number[]>;
      expect(Object.keys(reference).sort()).toEqual(Object.keys(loaded).sort());
      for (const [name, values] of Object.entries(reference)) expect(loaded[name], name).toEqual(values);
      model.dispose();
    }
  });
});

// The manifest read by numpy: shards concatenated per group, each entry decoded from its stored dtype.
const DEQUANTIZE = `
import json, os, sys
import numpy as np
path = sys.argv[1]
manifest = json.load(open(path))["weightsManifest"]
out = {}
for group in manifest:
    data = b"".join(open(os.path.join(os.path.dirname(path), p), "rb").read() for p in group["paths"])
    offset = 0
    for w in group["weights"]:
        n = int(np.prod(w["shape"]))
        q = w.get("quantization")
        dtype = {"uint8": "<u1", "uint16": "<u2", "float16": "<f2"}[q["dtype"]] if q else "<f4"
        raw = np.frombuffer(data, dtype=dtype, count=n, offset=offset)
        offset += raw.nbytes
        if q and q["dtype"] in ("uint8", "uint16"):
            values = (raw.astype(np.float64) * q["scale"] + q["min"]).astype(np.float32)
        else:
            values = raw.astype(np.float32)
        out[w["name"]] = [float(v) for v in values]
print(json.dumps(out))
`;

describe('a model saved by tfjs in the browser downloads layout (model.json + model.weights.bin)', () => {
  it('tfjs’s own toJSON configs with the project’s 3D layers export and match tfjs', async () => {
    const input = tf.input({ shape: [4, 5, 6, 2], name: 'scan' });
    let x = new ZeroPadding3D({
      padding: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
    }).apply(input) as tf.SymbolicTensor;
    x = tf.layers
      .conv3d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })
      .apply(x) as tf.SymbolicTensor;
    x = new UpSampling3D({ size: 2 }).apply(x) as tf.SymbolicTensor;
    x = new Cropping3D({
      cropping: [
        [1, 0],
        [0, 0],
        [1, 1],
      ],
    }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv3d({ filters: 3, kernelSize: 1, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: x, name: 'browser_model' });
    randomizeWeights(model, 61);
    const dir = await mkdtemp(join(tmpdir(), 'export-onnx-downloads-'));
    // What tf.io.browserDownloads writes: the artifacts' topology and a manifest pointing at ./model.weights.bin.
    await model.save({
      save: async (artifacts) => {
        await writeFile(join(dir, 'model.weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
        const json = {
          modelTopology: artifacts.modelTopology,
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy,
          weightsManifest: [{ paths: ['./model.weights.bin'], weights: artifacts.weightSpecs }],
        };
        await writeFile(join(dir, 'model.json'), JSON.stringify(json));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      },
    });
    await expectFileParity(join(dir, 'model.json'));
  });
});

describe('CLI size flags on a free-size model', () => {
  const modelJson = join(FIXTURES, 'keras-model-3d', 'model.json');
  it('--fixed-size keeps the saved shape; --input-shape sets one', async () => {
    const fixed = await exportWithCli(modelJson, ['--fixed-size']);
    expect(fixed.log).toContain('input size: fixed ([N, 4, 6, 6, 2])');
    const set = await exportWithCli(modelJson, ['--input-shape', '8,4,10,2']);
    expect(set.log).toContain('input size: fixed ([N, 8, 4, 10, 2])');
    const model = await loadModelFile(modelJson);
    const shape = [2, 8, 4, 10, 2];
    const input = new Rng(9).floats(2 * 8 * 4 * 10 * 2, -1, 1);
    const resized = await withInputShape(model, [8, 4, 10, 2]);
    expect(
      maxAbsDiff(predictCpu(resized, input, shape), await runOnnx(set.bytes, input, shape)),
    ).toBeLessThanOrEqual(TOLERANCE);
  });
});
