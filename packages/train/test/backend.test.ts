import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import {
  BackendError,
  type BackendLoader,
  type BackendName,
  DEFAULT_LOADERS,
  selectBackend,
} from '../src/backend.js';

const notInstalled =
  (name: string): BackendLoader =>
  async () => {
    throw Object.assign(new Error(`Cannot find package '${name}' imported from backend.js`), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
  };
// What a tfjs-node installed with --ignore-scripts throws on import (its native library never downloaded).
const brokenNative: BackendLoader = async () => {
  throw new Error(
    'The Node.js native addon module (tfjs_binding.node) can not be found at path: .../lib/napi-v8/tfjs_binding.node. \nPlease run command ...',
  );
};
const stockCpu: BackendLoader = async () => {
  await tf.setBackend('cpu');
  return 'kernels stock-cpu';
};

function loaders(overrides: Partial<Record<BackendName, BackendLoader>>): Record<BackendName, BackendLoader> {
  return { ...DEFAULT_LOADERS, ...overrides };
}

describe('selectBackend', () => {
  test('auto skips an absent tfjs-node-gpu and a broken tfjs-node, records why, and takes the next one', async () => {
    const choice = await selectBackend(
      'auto',
      loaders({
        'tfjs-node-gpu': notInstalled('@tensorflow/tfjs-node-gpu'),
        'tfjs-node': brokenNative,
        'fast-cpu': stockCpu,
      }),
    );
    expect(choice.name).toBe('fast-cpu');
    expect(choice.tfBackend).toBe('cpu');
    expect(choice.detail).toBe('kernels stock-cpu');
    expect(choice.skipped).toEqual([
      { name: 'tfjs-node-gpu', error: 'not installed' },
      {
        name: 'tfjs-node',
        error:
          'The Node.js native addon module (tfjs_binding.node) can not be found at path: .../lib/napi-v8/tfjs_binding.node. ',
      },
    ]);
  });

  test('auto falls through to stock cpu when the fast path fails too', async () => {
    const choice = await selectBackend(
      'auto',
      loaders({
        'tfjs-node-gpu': brokenNative,
        'tfjs-node': brokenNative,
        'fast-cpu': async () => {
          throw new Error('native kernels not built');
        },
      }),
    );
    expect(choice.name).toBe('cpu');
    expect(choice.skipped.map((s) => s.name)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'fast-cpu']);
    expect(choice.skipped[2]?.error).toBe('native kernels not built');
  });

  test('a forced backend that cannot load is a one-line BackendError, not a fallback', async () => {
    const attempt = selectBackend('tfjs-node', loaders({ 'tfjs-node': brokenNative }));
    await expect(attempt).rejects.toThrow(BackendError);
    await expect(attempt).rejects.toThrow(
      /^--backend tfjs-node: tfjs-node: The Node.js native addon module \(tfjs_binding.node\) can not be found[^\n]*$/,
    );
  });

  test('forcing stock cpu activates it', async () => {
    const choice = await selectBackend('cpu');
    expect(choice).toEqual({ requested: 'cpu', name: 'cpu', tfBackend: 'cpu', skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
  });

  test('the real loaders never throw for auto, whatever is installed', async () => {
    const choice = await selectBackend('auto');
    expect(['tfjs-node-gpu', 'tfjs-node', 'fast-cpu', 'cpu']).toContain(choice.name);
    for (const s of choice.skipped) expect(s.error).not.toContain('\n');
    await tf.setBackend('cpu');
  });

  test('an unknown preference is refused', async () => {
    await expect(selectBackend('gpu' as never)).rejects.toThrow(
      "unknown backend 'gpu' (expected auto, tfjs-node-gpu, tfjs-node, fast-cpu, cpu)",
    );
  });
});
