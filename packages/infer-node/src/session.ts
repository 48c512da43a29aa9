// Opens an onnxruntime-node session on the requested device. onnxruntime does not fall back by itself: with the
// CUDA EP listed but its libraries missing, session creation throws ("Failed to load shared library").
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { NodeDevice } from '@conv3d/data/classifier';
import { InferenceSession } from 'onnxruntime-node';

export type NodeProvider = Exclude<NodeDevice, 'auto'>;

export interface OpenedSession {
  session: InferenceSession;
  provider: NodeProvider;
}

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

export async function openSession(
  bytes: Uint8Array,
  device: NodeDevice,
  source: string,
  cudaInstalled = cudaProviderInstalled(),
): Promise<OpenedSession> {
  if (!DEVICES.includes(device)) {
    throw new TypeError(`device '${String(device)}' is not one of ${DEVICES.join(', ')}`);
  }
  if (device === 'cpu' || (device === 'auto' && !cudaInstalled)) {
    return { session: await create(bytes, 'cpu', source), provider: 'cpu' };
  }
  if (!cudaInstalled) {
    throw new Error(`${source}: the CUDA execution provider is not installed; ${CUDA_HELP}`);
  }
  try {
    return { session: await create(bytes, 'cuda', source), provider: 'cuda' };
  } catch (error) {
    if (device === 'cuda') {
      throw new Error(
        `${source}: the CUDA execution provider is unavailable (${firstLine(error)}); ${CUDA_HELP}`,
      );
    }
    return { session: await create(bytes, 'cpu', source), provider: 'cpu' };
  }
}

async function create(bytes: Uint8Array, provider: NodeProvider, source: string): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(bytes, {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    if (provider === 'cuda') throw error;
    throw new Error(`${source}: onnxruntime cannot load the model: ${firstLine(error)}`);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]?.trim() ?? '';
}
