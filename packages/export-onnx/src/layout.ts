// Channel layouts. tfjs tensors are channels-last (NDHWC); ONNX Conv/Pool/BatchNormalization want
// channels-first (NCDHW). Tensors of rank ≤ 2 ([N, C]) look the same in both.

export type Layout = 'channelsLast' | 'channelsFirst';

/** NDHWC → NCDHW for a tensor of `rank`. */
export function toChannelsFirstPerm(rank: number): number[] {
  return [0, rank - 1, ...range(1, rank - 1)];
}

/** NCDHW → NDHWC for a tensor of `rank`. */
export function toChannelsLastPerm(rank: number): number[] {
  return [0, ...range(2, rank), 1];
}

/** Maps a tfjs (channels-last) axis of a rank-`rank` tensor onto the same axis in `layout`. */
export function mapAxis(axis: number, rank: number, layout: Layout): number {
  const a = axis < 0 ? axis + rank : axis;
  if (layout === 'channelsLast' || rank <= 2 || a === 0) return a;
  return a === rank - 1 ? 1 : a + 1;
}

/** Permutation applying `first` then `second` (ONNX Transpose semantics: out[i] = in[perm[i]]). */
export function composePerms(first: readonly number[], second: readonly number[]): number[] {
  return second.map((p) => first[p] as number);
}

export function isIdentityPerm(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

export function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}
