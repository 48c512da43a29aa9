import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClassifier } from '@conv3d/core';
import { describe, expect, it } from 'vitest';
import { ContractError, load } from '../src/index.js';
import { nodeProviders, openNodeSession } from '../src/session.js';
import { fixture } from './fixtures.js';

const tiny = readFileSync(fixture('tiny.onnx'));

describe('load', () => {
  it('loads from a path, a Uint8Array and an ArrayBuffer', async () => {
    const copy = new Uint8Array(tiny).buffer;
    for (const source of [fixture('tiny.onnx'), new Uint8Array(tiny), copy]) {
      const classifier = await load(source, { device: 'cpu' });
      expect(classifier.provider).toBe('cpu');
      await classifier.dispose();
    }
  });

  it("'auto' runs on CPU on a machine without the CUDA EP", async () => {
    const classifier = await load(tiny);
    expect(classifier.provider).toBe('cpu');
    await classifier.dispose();
  });

  it("'auto' falls back to CPU when creating the CUDA session throws", async () => {
    // Claims the CUDA libraries are installed, so onnxruntime really tries CUDA here and throws.
    const providers = nodeProviders('auto', 'tiny.onnx', true);
    expect(providers).toEqual(['cuda', 'cpu']);
    const classifier = await openClassifier({
      bytes: tiny,
      source: 'tiny.onnx',
      providers,
      open: openNodeSession,
    });
    expect(classifier.provider).toBe('cpu');
    await classifier.dispose();
  });

  it("'cuda' fails with a clear message when the CUDA EP is not installed", async () => {
    await expect(load(tiny, { device: 'cuda' })).rejects.toThrow(
      /^model bytes: the CUDA execution provider is not installed; install its libraries with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci`/,
    );
  });

  it("'cuda' fails with onnxruntime's reason when creating the CUDA session throws", async () => {
    const providers = nodeProviders('cuda', 'tiny.onnx', true);
    await expect(
      openClassifier({ bytes: tiny, source: 'tiny.onnx', providers, open: openNodeSession }),
    ).rejects.toThrow(
      /^tiny.onnx: the CUDA execution provider is unavailable \(.*Failed to load shared library\); install its libraries/,
    );
  });

  it('rejects an unknown device', async () => {
    await expect(load(tiny, { device: 'tpu' as 'cpu' })).rejects.toThrow(
      "device 'tpu' is not one of auto, cuda, cpu",
    );
  });
});

describe('contract errors', () => {
  const path = (name: string) => fixture(name);
  it.each([
    ['missing-metadata.onnx', /missing-metadata.onnx: metadata 'conv3d.labels' is missing/],
    [
      'unknown-preprocessing.onnx',
      /unknown-preprocessing.onnx: unknown preprocessing 'viridis-rgb', expected/,
    ],
    [
      'wrong-input-shape.onnx',
      /wrong-input-shape.onnx: input 'input' is float32 \[N, 3, 16, 16, 16\]; expected float32 \[batch, 16, 16, 16, 3\]/,
    ],
    [
      'wrong-class-count.onnx',
      /wrong-class-count.onnx: output 'probabilities' is float32 \[N, 4\]; expected float32 \[batch, 3\] for 3 labels \('conv3d.labels'\)/,
    ],
  ])('%s', async (name, message) => {
    const error = await load(path(name), { device: 'cpu' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('rejects missing, foreign and truncated files with one line naming the file', async () => {
    const dir = tmpdir();
    const text = join(dir, `not-a-model-${process.pid}.onnx`);
    writeFileSync(text, 'this is not a model\n');
    const cut = join(dir, `truncated-${process.pid}.onnx`);
    writeFileSync(cut, tiny.subarray(0, tiny.length - 700));
    await expect(load(join(dir, 'absent.onnx'))).rejects.toThrow(
      /absent.onnx: cannot read the model: file not found/,
    );
    await expect(load(dir)).rejects.toThrow(/cannot read the model: is a directory/);
    await expect(load(text)).rejects.toThrow(new RegExp(`${text}: not an ONNX model`));
    await expect(load(cut)).rejects.toThrow(
      new RegExp(`${cut}: not an ONNX model \\(field of \\d+ bytes runs past`),
    );
  });
});
