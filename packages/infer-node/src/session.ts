// onnxruntime-node behind @conv3d/core's SessionHandler. onnxruntime does not fall back by itself: with the CUDA EP
// listed but its libraries missing, session creation throws ("Failed to load shared library"); the fallback is
// core's, over the providers chosen here.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { firstLine, type SessionHandler } from '@conv3d/core';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/** Where a Node classifier may run: 'auto' tries CUDA (when its libraries are installed), then CPU. */
export type NodeDevice = 'auto' | 'cuda' | 'cpu';
/** The execution provider that actually runs the model. */
export type NodeProvider = Exclude<NodeDevice, 'auto'>;

export const DEVICES: readonly NodeDevice[] = ['auto', 'cuda', 'cpu'];

const CUDA_HELP =
  'install its libraries with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci` on a machine with CUDA 12 and cuDNN 9, or use device "auto" or "cpu"';

/**
 * The CUDA EP library onnxruntime-node loads; an offline install skips its download. Knowing it is absent spares
 * a failed attempt, which costs ~50 ms and makes onnxruntime print a multi-line error on stderr.
 */
export function cudaProviderInstalled(): boolean {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  const lib = join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
  return (
    existsSync(join(lib, 'libonnxruntime_providers_cuda.so')) ||
    existsSync(join(lib, 'onnxruntime_providers_cuda.dll'))
  );
}

/** The providers to try for `device`, in order. 'auto' without the CUDA libraries never tries CUDA: it stays quiet. */
export function nodeProviders(
  device: NodeDevice,
  source: string,
  cudaInstalled = cudaProviderInstalled(),
): NodeProvider[] {
  if (!DEVICES.includes(device)) {
    throw new TypeError(`load: device '${String(device)}' is not one of ${DEVICES.join(', ')}`);
  }
  if (device === 'cpu') return ['cpu'];
  if (device === 'cuda' && !cudaInstalled) {
    throw new Error(`${source}: the CUDA execution provider is not installed; ${CUDA_HELP}`);
  }
  if (device === 'cuda') return ['cuda'];
  return cudaInstalled ? ['cuda', 'cpu'] : ['cpu'];
}

/** Opens an onnxruntime-node session on one provider; rejects with a one-line reason. */
export async function openNodeSession(bytes: Uint8Array, provider: NodeProvider): Promise<SessionHandler> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new Error(
      provider === 'cuda'
        ? `the CUDA execution provider is unavailable (${firstLine(error)}); ${CUDA_HELP}`
        : `onnxruntime cannot load the model: ${firstLine(error)}`,
    );
  }
  return {
    inputs: session.inputMetadata,
    outputs: session.outputMetadata,
    async run(input, outputName) {
      const results = await session.run({ [input.name]: new Tensor('float32', input.data, [...input.dims]) });
      const output = results[outputName];
      if (output === undefined || !(output.data instanceof Float32Array)) {
        throw new Error(`predict: the model returned no float32 '${outputName}'`);
      }
      return output.data;
    },
    release: () => session.release(),
  };
}
