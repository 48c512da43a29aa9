// Chooses the execution providers. onnxruntime-web given ['webgpu', 'wasm'] and no adapter silently runs on wasm,
// so we probe for an adapter ourselves and ask onnxruntime for exactly one provider at a time: the one we report.
// The fallback from one to the next is @conv3d/core's.

/** Where a browser classifier may run: 'auto' tries WebGPU (when an adapter exists), then wasm. */
export type WebDevice = 'auto' | 'webgpu' | 'wasm';
/** The execution provider that actually runs the model. */
export type WebProvider = Exclude<WebDevice, 'auto'>;

export const DEVICES: readonly WebDevice[] = ['auto', 'webgpu', 'wasm'];

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

/** Throws, as infer-node does, for a device this package does not know. */
export function checkDevice(device: WebDevice): void {
  if (!DEVICES.includes(device)) {
    throw new TypeError(`load: device '${String(device)}' is not one of ${DEVICES.join(', ')}`);
  }
}

/** The providers to try, in order, for a requested device. 'auto' without an adapter never tries WebGPU. */
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
