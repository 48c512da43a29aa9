// The value types X may be stored as, and their conversion into the rows consumers get: float64 stays float64
// (lossless: the seed's preprocessing is bit-exact on it), every other type becomes float32 (exact for all of them).
import type { Metadata } from 'h5wasm/node';

export type VoxelDtype = 'float16' | 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16';
export type Rows = Float32Array | Float64Array;

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

/** The voxel dtype of an HDF5 type, or undefined when X cannot hold it. */
export function voxelDtypeOf(meta: Metadata): VoxelDtype | undefined {
  if (meta.vlen) return undefined;
  if (meta.type === H5T_FLOAT) {
    // HDF5 hands every type over in native (little-endian) order; half floats we then decode ourselves.
    if (meta.size === 2) return 'float16';
    if (meta.size === 4) return 'float32';
    if (meta.size === 8) return 'float64';
  }
  if (meta.type === H5T_INTEGER) {
    if (meta.size === 1) return meta.signed ? 'int8' : 'uint8';
    if (meta.size === 2) return meta.signed ? 'int16' : 'uint16';
  }
  return undefined;
}

export const BYTES_PER_VALUE: Readonly<Record<VoxelDtype, number>> = {
  float16: 2,
  float32: 4,
  float64: 8,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
};

/** Whether values of this dtype can be NaN or infinite (and so must be checked on every read). */
export function mayBeNonFinite(dtype: VoxelDtype): boolean {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64';
}

export function newRows(dtype: VoxelDtype, values: number): Rows {
  return dtype === 'float64' ? new Float64Array(values) : new Float32Array(values);
}

let halfTable: Float32Array | undefined;

/** float32 value of every float16 bit pattern (256 KiB, built once): one lookup per value. */
function halfToFloat(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) table[h] = mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    else table[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  halfTable = table;
  return table;
}

/** Converts `out.length` values of `dtype` stored at byte `ptr` of `heap` (native order) into `out`. */
export function decodeInto(dtype: VoxelDtype, heap: ArrayBuffer, ptr: number, out: Rows): void {
  const n = out.length;
  switch (dtype) {
    case 'float64':
      out.set(new Float64Array(heap, ptr, n));
      return;
    case 'float32':
      out.set(new Float32Array(heap, ptr, n));
      return;
    case 'int8':
      out.set(new Int8Array(heap, ptr, n));
      return;
    case 'uint8':
      out.set(new Uint8Array(heap, ptr, n));
      return;
    case 'int16':
      out.set(new Int16Array(heap, ptr, n));
      return;
    case 'uint16':
      out.set(new Uint16Array(heap, ptr, n));
      return;
    case 'float16': {
      const table = halfToFloat();
      const bits = new Uint16Array(heap, ptr, n);
      for (let i = 0; i < n; i++) out[i] = table[bits[i] as number] as number;
      return;
    }
  }
}
