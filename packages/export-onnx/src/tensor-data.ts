/** Transposes row-major `data` of `shape` by `perm` (out axis i = in axis perm[i]). */
export function transposeData(
  data: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
): Float32Array {
  const rank = shape.length;
  const inStrides = new Array<number>(rank);
  let stride = 1;
  for (let a = rank - 1; a >= 0; a--) {
    inStrides[a] = stride;
    stride *= shape[a] as number;
  }
  const outShape = perm.map((p) => shape[p] as number);
  const strideOf = perm.map((p) => inStrides[p] as number);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src] as number;
    // Odometer increment over the output index, tracking the source offset incrementally.
    for (let a = rank - 1; a >= 0; a--) {
      const i = (index[a] as number) + 1;
      if (i < (outShape[a] as number)) {
        index[a] = i;
        src += strideOf[a] as number;
        break;
      }
      index[a] = 0;
      src -= (i - 1) * (strideOf[a] as number);
    }
  }
  return out;
}
