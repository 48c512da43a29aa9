// One initialised h5wasm module for the package, with HDF5's error stack turned into exceptions
// (instead of diagnostics printed to stderr).
import h5wasm from 'h5wasm/node';

export type H5Module = Awaited<typeof h5wasm.ready>;

let ready: Promise<typeof h5wasm> | undefined;
let wasm: H5Module | undefined;

export function loadH5(): Promise<typeof h5wasm> {
  ready ??= h5wasm.ready.then((module) => {
    module.activate_throwing_error_handler();
    wasm = module;
    return h5wasm;
  });
  return ready;
}

/** The initialised wasm module (after loadH5), for hyperslab reads into buffers we own. */
export function h5Module(): H5Module {
  if (!wasm) throw new Error('h5wasm is not initialised: await loadH5() first');
  return wasm;
}

/** The most specific line of an HDF5 error stack ("Not an HDF5 file", "Read failed", ...). */
export function h5Reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const minors = [...text.matchAll(/minor: (.+)/g)].map((m) => (m[1] ?? '').trim());
  const last = minors.at(-1);
  if (last) return last;
  return text.split('\n')[0] ?? text;
}
