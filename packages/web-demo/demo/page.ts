// What every page here shares: where onnxruntime's files are, finding elements, and the device asked for.
import type { WebDevice } from '@conv3d/infer-web';

/** onnxruntime-web's runtime files, copied next to the pages by vite.config.ts. */
export const WASM_PATHS = new URL('./ort/', window.location.href).href;

export function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`demo page: #${id} is missing`);
  return found as T;
}

const DEVICES: readonly WebDevice[] = ['auto', 'webgpu', 'wasm'];

/** A device name from a select's value or a query parameter; 'auto' for anything else. */
export function asDevice(value: string | null): WebDevice {
  return DEVICES.find((d) => d === value) ?? 'auto';
}

/** The page's ?device= parameter. */
export function requestedDevice(): WebDevice {
  return asDevice(new URLSearchParams(window.location.search).get('device'));
}
