// Graph under construction: nodes, initializers, and every tfjs tensor's ONNX names per layout.
import { FixedSizeNeeded, type LayerRef } from './errors.js';
import { type Layout, toChannelsFirstPerm, toChannelsLastPerm } from './layout.js';
import {
  type AttributeProto,
  AttributeType,
  DataType,
  type GraphProto,
  type NodeProto,
  type TensorProto,
} from './proto/index.js';

/** Shape as tfjs reports it: channels-last, batch (and any unknown dim) null. */
export type Shape = readonly (number | null)[];

/** One tfjs tensor in the graph. It is produced in `native` layout; other layouts are added on demand. */
export interface Value {
  shape: Shape;
  native: Layout;
  names: Partial<Record<Layout, string>>;
  /** tfjs's step mask as float32 [N, T, 1] (1 = keep the step), set by Masking and Embedding maskZero. */
  mask?: string;
}

export type AttributeValue =
  | number
  | readonly number[]
  | { float: number }
  | { string: string }
  | { floats: readonly number[] }
  | { strings: readonly string[] }
  | { graph: GraphProto };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();

  /** With `freeSize`, the graph inputs' spatial (or time) dims are symbolic: converters must not bake them in. */
  constructor(readonly freeSize = false) {}

  /** Called by a converter that needs the saved spatial sizes; with free sizes the export falls back to them. */
  requireFixedSize(layer: LayerRef, why: string): void {
    if (this.freeSize) throw new FixedSizeNeeded(`layer '${layer.name}' (${layer.className}) ${why}`);
  }

  /** Reserves a name that no other value, initializer or node uses yet. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node with one output named after `outputBase`; returns that output's name. */
  addNode(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, AttributeValue>,
    outputBase: string,
  ) {
    const output = this.uniqueName(outputBase);
    this.nodes.push({
      name: this.uniqueName(`${outputBase}/${opType}`),
      op_type: opType,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attrs).map(([name, value]) => toAttribute(name, value)),
    });
    return output;
  }

  /** Adds a node with several outputs; an empty base leaves that optional output unnamed (''). */
  addMultiOutputNode(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, AttributeValue>,
    outputBases: readonly string[],
  ): string[] {
    const output = outputBases.map((base) => (base === '' ? '' : this.uniqueName(base)));
    this.nodes.push({
      name: this.uniqueName(`${outputBases.find((b) => b !== '')}/${opType}`),
      op_type: opType,
      input: [...inputs],
      output,
      attribute: Object.entries(attrs).map(([name, value]) => toAttribute(name, value)),
    });
    return output;
  }

  addFloatInitializer(base: string, dims: readonly number[], data: Float32Array): string {
    const name = this.uniqueName(base);
    this.initializers.push({
      name,
      dims: [...dims],
      data_type: DataType.FLOAT,
      raw_data: float32Bytes(data),
    });
    return name;
  }

  addInt64Initializer(base: string, dims: readonly number[], values: readonly number[]): string {
    const name = this.uniqueName(base);
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => {
      view.setBigInt64(i * 8, BigInt(v), true);
    });
    this.initializers.push({ name, dims: [...dims], data_type: DataType.INT64, raw_data: bytes });
    return name;
  }

  /** A new value whose only name so far is `name`, in `layout`. */
  value(shape: Shape, layout: Layout, name: string): Value {
    return {
      shape,
      native: shape.length <= 2 ? 'channelsLast' : layout,
      names: namesFor(shape, layout, name),
    };
  }

  /** The value's name in `layout`, inserting one Transpose (shared by all consumers) when needed. */
  in(value: Value, layout: Layout): string {
    const existing = value.names[layout];
    if (existing !== undefined) return existing;
    const rank = value.shape.length;
    const from = layout === 'channelsFirst' ? 'channelsLast' : 'channelsFirst';
    const source = value.names[from] as string;
    const perm = layout === 'channelsFirst' ? toChannelsFirstPerm(rank) : toChannelsLastPerm(rank);
    const suffix = layout === 'channelsFirst' ? 'to_channels_first' : 'to_channels_last';
    const name = this.addNode('Transpose', [source], { perm }, `${source}/${suffix}`);
    value.names[layout] = name;
    return name;
  }

  /** The value's name in the layout it was produced in: elementwise consumers need no Transpose. */
  native(value: Value): { name: string; layout: Layout } {
    return { name: value.names[value.native] as string, layout: value.native };
  }
}

function namesFor(shape: Shape, layout: Layout, name: string): Partial<Record<Layout, string>> {
  return shape.length <= 2 ? { channelsLast: name, channelsFirst: name } : { [layout]: name };
}

function toAttribute(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('string' in value)
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
  if ('graph' in value) return { name, type: AttributeType.GRAPH, g: value.graph };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  if ('strings' in value) {
    const encoder = new TextEncoder();
    return { name, type: AttributeType.STRINGS, strings: value.strings.map((s) => encoder.encode(s)) };
  }
  return { name, type: AttributeType.INTS, ints: [...value] };
}

/** A view, not a copy, on little-endian hosts: the exporter holds each weight once more at most (the file). */
function float32Bytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // ONNX raw_data is little-endian whatever the host.
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] as number, true);
  return out;
}
