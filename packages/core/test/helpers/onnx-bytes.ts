// A minimal protobuf encoder, written from the wire-format spec, to build ModelProto bytes for the reader (the
// exporter's protobufjs encoder is the other writer, tested in @conv3d/export-onnx).
export function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

export function lenField(field: number, payload: number[]): number[] {
  return [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
}

export const utf8 = (s: string): number[] => Array.from(new TextEncoder().encode(s));

export const metadataEntry = (k: string, v: string): number[] =>
  lenField(14, [...lenField(1, utf8(k)), ...lenField(2, utf8(v))]);

/** ModelProto bytes with `metadata` as metadata_props and an opaque graph field. */
export function modelBytes(metadata: Record<string, string>): Uint8Array {
  return Uint8Array.from([
    ...varint(1 * 8),
    8, // ir_version = 8
    ...lenField(7, new Array(16).fill(0x55)),
    ...Object.entries(metadata).flatMap(([k, v]) => metadataEntry(k, v)),
  ]);
}
