// Writing a label map in the scan's own space: the scan's header bytes are copied (same byte order, version, shape,
// pixdim, qform/sform codes and parameters, units) and only the fields describing the voxels are rewritten, so
// nibabel reads the labels back with exactly the scan's affine.
import { NiftiError } from './errors.js';
import { gzip } from './gzip.js';
import type { NiftiImage } from './read.js';

/** Label voxels in the scan's stored axis order (i fastest), one per voxel of the scan's 3D grid. */
export type LabelArray = Uint8Array | Uint16Array | Int32Array | ArrayLike<number>;

/** NIFTI_INTENT_LABEL: the voxels are indices into a list of labels. */
const INTENT_LABEL = 1002;

interface Field {
  at: number;
  kind: 'i16' | 'i32' | 'i64' | 'f32' | 'f64';
}

const FIELDS = {
  1: {
    dim: { at: 40, kind: 'i16' },
    intent: { at: 68, kind: 'i16' },
    datatype: { at: 70, kind: 'i16' },
    bitpix: { at: 72, kind: 'i16' },
    voxOffset: { at: 108, kind: 'f32' },
    slope: { at: 112, kind: 'f32' },
    inter: { at: 116, kind: 'f32' },
    calMax: { at: 124, kind: 'f32' },
    calMin: { at: 128, kind: 'f32' },
  },
  2: {
    dim: { at: 16, kind: 'i64' },
    intent: { at: 504, kind: 'i32' },
    datatype: { at: 12, kind: 'i16' },
    bitpix: { at: 14, kind: 'i16' },
    voxOffset: { at: 168, kind: 'i64' },
    slope: { at: 176, kind: 'f64' },
    inter: { at: 184, kind: 'f64' },
    calMax: { at: 192, kind: 'f64' },
    calMin: { at: 200, kind: 'f64' },
  },
} satisfies Record<1 | 2, Record<string, Field>>;

/**
 * A `.nii.gz` label map on `scan`'s grid: uint8 when every label is ≤ 255, else uint16. `labels` are in the scan's
 * stored axis order (see `labelsToScan` for labels computed in a model's prepared space).
 */
export async function writeLabelNifti(labels: LabelArray, scan: NiftiImage): Promise<Uint8Array> {
  const [ni, nj, nk] = scan.shape;
  const count = ni * nj * nk;
  if (labels.length !== count) {
    throw new NiftiError(
      scan.file,
      'labels',
      `have ${labels.length} voxels, the scan's grid ${ni}×${nj}×${nk} has ${count}`,
    );
  }
  let max = 0;
  for (let v = 0; v < count; v++) {
    const label = labels[v] as number;
    if (!(Number.isInteger(label) && label >= 0 && label <= 65535)) {
      throw new NiftiError(
        scan.file,
        'labels',
        `hold ${label} at voxel ${v}: labels must be integers in [0, 65535]`,
      );
    }
    if (label > max) max = label;
  }
  const wide = max > 255;
  const { header } = scan;
  const headerSize = header.bytes.length;
  const voxOffset = headerSize + 4;
  const out = new Uint8Array(voxOffset + count * (wide ? 2 : 1));
  out.set(header.bytes);
  const view = new DataView(out.buffer);
  const le = header.littleEndian;
  const fields = FIELDS[header.version];
  const put = (field: Field, value: number, index = 0) => {
    const at = field.at + index * { i16: 2, i32: 4, i64: 8, f32: 4, f64: 8 }[field.kind];
    if (field.kind === 'i16') view.setInt16(at, value, le);
    else if (field.kind === 'i32') view.setInt32(at, value, le);
    else if (field.kind === 'i64') view.setBigInt64(at, BigInt(value), le);
    else if (field.kind === 'f32') view.setFloat32(at, value, le);
    else view.setFloat64(at, value, le);
  };
  for (const [i, d] of [3, ni, nj, nk, 1, 1, 1, 1].entries()) put(fields.dim, d, i);
  put(fields.intent, INTENT_LABEL);
  put(fields.datatype, wide ? 512 : 2);
  put(fields.bitpix, wide ? 16 : 8);
  put(fields.voxOffset, voxOffset);
  put(fields.slope, 1);
  put(fields.inter, 0);
  put(fields.calMax, max);
  put(fields.calMin, 0);
  if (wide) {
    for (let v = 0; v < count; v++) view.setUint16(voxOffset + 2 * v, labels[v] as number, le);
  } else {
    out.set(labels as ArrayLike<number>, voxOffset);
  }
  return gzip(out);
}
