// Chooses the execution provider. onnxruntime-web given ['webgpu', 'wasm'] and no adapter silently runs on wasm,
// so we probe for an adapter ourselves and always ask onnxruntime for exactly one provider: the one we report.
import type { WebDevice } from '@conv3d/data/classifier';

export type WebProvider = Exclude<WebDevice, 'auto'>;

/** Why WebGPU can't be used here, or null when an adapter is available. */
export async function webgpuUnavailableReason(): Promise<string | null> {
  // The package compiles without the DOM lib (Node-side helpers share it), hence the structural type.
  const { navigator } = globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } };
  const gpu = navigator?.gpu;
  if (gpu === undefined) return 'this browser has no WebGPU (navigator.gpu is undefined)';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? null : 'navigator.gpu.requestAdapter() returned no adapter';
  } catch (err) {
    return `navigator.gpu.requestAdapter() failed: ${(err as Error).message}`;
  }
}

/** The providers to try, in order, for a requested device. */
export async function candidateProviders(device: WebDevice): Promise<WebProvider[]> {
  if (device === 'wasm') return ['wasm'];
  const reason = await webgpuUnavailableReason();
  if (device === 'webgpu') {
    if (reason !== null)
      throw new Error(`device 'webgpu' requested but ${reason}; use device 'auto' or 'wasm'`);
    return ['webgpu'];
  }
  return reason === null ? ['webgpu', 'wasm'] : ['wasm'];
}
