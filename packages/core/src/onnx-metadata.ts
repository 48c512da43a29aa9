// Reads metadata_props from serialized ONNX bytes: neither onnxruntime-node nor -web exposes them.
import { ContractError } from './contract.js';

/**
 * Reads `metadata_props` from serialized ONNX ModelProto bytes with a minimal protobuf wire-format walk:
 * top-level field 14 holds StringStringEntryProto { key = 1, value = 2 }; every other field is skipped by length,
 * so the weights are never decoded. Throws a ContractError when the bytes are not a protobuf message.
 */
export function readOnnxMetadata(bytes: Uint8Array, source: string): Record<string, string> {
  const meta: Record<string, string> = {};
  const reader = new WireReader(bytes, 0, bytes.length, source);
  let sawGraph = false;
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === MODEL_GRAPH && wire === WIRE_LEN) sawGraph = true;
    if (field === MODEL_METADATA_PROPS && wire === WIRE_LEN) {
      const [start, end] = reader.span();
      const entry = new WireReader(bytes, start, end, source);
      let key = '';
      let value = '';
      while (!entry.done()) {
        const t = entry.tag();
        if (t.wire === WIRE_LEN && (t.field === 1 || t.field === 2)) {
          const [s, e] = entry.span();
          const text = UTF8.decode(bytes.subarray(s, e));
          if (t.field === 1) key = text;
          else value = text;
        } else entry.skip(t.wire);
      }
      meta[key] = value;
    } else reader.skip(wire);
  }
  if (!sawGraph) throw new ContractError(`${source}: not an ONNX model (no graph)`);
  return meta;
}

const MODEL_GRAPH = 7;
const MODEL_METADATA_PROPS = 14;
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
const UTF8 = new TextDecoder('utf-8', { fatal: false });

class WireReader {
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly end: number,
    private readonly source: string,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  tag(): { field: number; wire: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) this.fail('field number 0');
    return { field, wire: key % 8 };
  }

  /** A length-delimited field's [start, end). */
  span(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) this.fail(`field of ${length} bytes runs past the end`);
    this.pos = start + length;
    return [start, this.pos];
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.span();
    else if (wire === WIRE_I64) this.advance(8);
    else if (wire === WIRE_I32) this.advance(4);
    else this.fail(`unsupported wire type ${wire}`);
  }

  // Numbers, not 32-bit bit operations: lengths and int64 fields may exceed 2³¹.
  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const byte = this.bytes[this.pos++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    return this.fail('varint longer than 10 bytes');
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) this.fail('truncated fixed-width field');
    this.pos += n;
  }

  private fail(why: string): never {
    throw new ContractError(`${this.source}: not an ONNX model (${why} at byte ${this.pos})`);
  }
}
