// The v2 protocol's numeric tensor datatypes an input may use: raw rows are numbers, so any of them can carry
// them (FP32 and FP64 being what datasets store). Binary data is little-endian, row-major, without padding.
import { badRequest } from '../errors.js';

type Decode = (bytes: Uint8Array) => Float32Array | Float64Array;

interface Datatype {
  /** Bytes per element in the binary tensor data extension. */
  size: number;
  /** Values an element may hold in JSON; integers only for the integer types. */
  min: number;
  max: number;
  integer: boolean;
  decode: Decode;
}

/** Typed-array view of `bytes`, copied once when they are not aligned for it (a body slice may not be). */
function view<T>(
  bytes: Uint8Array,
  size: number,
  make: (buffer: ArrayBuffer, offset: number, length: number) => T,
): T {
  const length = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return make(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
  // new Uint8Array(bytes) copies; a Buffer's slice() would not (it is subarray()).
  return make(new Uint8Array(bytes).buffer, 0, length);
}

const asFloat64 = (values: ArrayLike<number> | ArrayLike<bigint>): Float64Array =>
  Float64Array.from(values, Number);

const float16 = (bytes: Uint8Array): Float32Array => {
  const halves = view(bytes, 2, (b, o, n) => new Uint16Array(b, o, n));
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i] as number;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    const sign = h & 0x8000 ? -1 : 1;
    if (exponent === 0) out[i] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) out[i] = fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    else out[i] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return out;
};

const int = (size: number, min: number, max: number, decode: Decode): Datatype => ({
  size,
  min,
  max,
  integer: true,
  decode,
});
const float = (size: number, decode: Decode): Datatype => ({
  size,
  min: Number.NEGATIVE_INFINITY,
  max: Number.POSITIVE_INFINITY,
  integer: false,
  decode,
});

export const DATATYPES: Readonly<Record<string, Datatype>> = {
  FP16: float(2, float16),
  FP32: float(4, (b) => view(b, 4, (buf, o, n) => new Float32Array(buf, o, n))),
  FP64: float(8, (b) => view(b, 8, (buf, o, n) => new Float64Array(buf, o, n))),
  INT8: int(1, -128, 127, (b) => asFloat64(new Int8Array(b.buffer, b.byteOffset, b.byteLength))),
  INT16: int(2, -(2 ** 15), 2 ** 15 - 1, (b) =>
    asFloat64(view(b, 2, (buf, o, n) => new Int16Array(buf, o, n))),
  ),
  INT32: int(4, -(2 ** 31), 2 ** 31 - 1, (b) =>
    asFloat64(view(b, 4, (buf, o, n) => new Int32Array(buf, o, n))),
  ),
  INT64: int(8, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, (b) =>
    asFloat64(view(b, 8, (buf, o, n) => new BigInt64Array(buf, o, n))),
  ),
  UINT8: int(1, 0, 255, (b) => asFloat64(b)),
  UINT16: int(2, 0, 2 ** 16 - 1, (b) => asFloat64(view(b, 2, (buf, o, n) => new Uint16Array(buf, o, n)))),
  UINT32: int(4, 0, 2 ** 32 - 1, (b) => asFloat64(view(b, 4, (buf, o, n) => new Uint32Array(buf, o, n)))),
  UINT64: int(8, 0, Number.MAX_SAFE_INTEGER, (b) =>
    asFloat64(view(b, 8, (buf, o, n) => new BigUint64Array(buf, o, n))),
  ),
};

export const DATATYPE_NAMES = Object.keys(DATATYPES).join(', ');

export function datatype(name: unknown, where: string): Datatype {
  const found = typeof name === 'string' ? DATATYPES[name] : undefined;
  if (found === undefined) {
    throw badRequest(
      `${where} datatype ${JSON.stringify(name)} is not supported; expected one of ${DATATYPE_NAMES}`,
    );
  }
  return found;
}
