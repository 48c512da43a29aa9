// One initialised h5wasm module for the package, with HDF5's error stack turned into exceptions
// (instead of diagnostics printed to stderr).
import h5wasm from 'h5wasm/node';

let ready: Promise<typeof h5wasm> | undefined;

export function loadH5(): Promise<typeof h5wasm> {
  ready ??= h5wasm.ready.then((module) => {
    module.activate_throwing_error_handler();
    return h5wasm;
  });
  return ready;
}

/** The most specific line of an HDF5 error stack ("Not an HDF5 file", "Read failed", ...). */
export function h5Reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const minors = [...text.matchAll(/minor: (.+)/g)].map((m) => (m[1] ?? '').trim());
  const last = minors.at(-1);
  if (last) return last;
  return text.split('\n')[0] ?? text;
}
