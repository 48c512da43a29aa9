// The NIfTI data types conv3d reads (nifti1.h codes) and the typed array each becomes.
import { NiftiError } from './errors.js';

export type VoxelArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

interface VoxelType {
  name: string;
  bytes: number;
  float: boolean;
  view: (buffer: ArrayBuffer, offset: number, length: number) => VoxelArray;
}

export const DATATYPES: ReadonlyMap<number, VoxelType> = new Map<number, VoxelType>([
  [2, { name: 'uint8', bytes: 1, float: false, view: (b, o, n) => new Uint8Array(b, o, n) }],
  [4, { name: 'int16', bytes: 2, float: false, view: (b, o, n) => new Int16Array(b, o, n) }],
  [8, { name: 'int32', bytes: 4, float: false, view: (b, o, n) => new Int32Array(b, o, n) }],
  [16, { name: 'float32', bytes: 4, float: true, view: (b, o, n) => new Float32Array(b, o, n) }],
  [64, { name: 'float64', bytes: 8, float: true, view: (b, o, n) => new Float64Array(b, o, n) }],
  [256, { name: 'int8', bytes: 1, float: false, view: (b, o, n) => new Int8Array(b, o, n) }],
  [512, { name: 'uint16', bytes: 2, float: false, view: (b, o, n) => new Uint16Array(b, o, n) }],
  [768, { name: 'uint32', bytes: 4, float: false, view: (b, o, n) => new Uint32Array(b, o, n) }],
]);

const UNSUPPORTED: Record<number, string> = {
  1: 'binary',
  32: 'complex64',
  128: 'RGB24',
  1024: 'int64',
  1280: 'uint64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'RGBA32',
};

export function voxelType(datatype: number, file: string): VoxelType {
  const type = DATATYPES.get(datatype);
  if (type !== undefined) return type;
  const known = UNSUPPORTED[datatype];
  const supported = [...DATATYPES.values()].map((t) => t.name).join(', ');
  throw new NiftiError(
    file,
    'datatype',
    `is ${datatype}${known ? ` (${known})` : ''}: unsupported, expected one of ${supported}`,
  );
}
