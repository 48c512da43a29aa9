// protobufjs runtime for the ONNX subset, plus plain TypeScript shapes of the messages we build.
import protobuf from 'protobufjs';
import { ONNX_PROTO_SUBSET } from './onnx-schema.js';

/** AttributeProto.AttributeType values (onnx.proto). */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;
/** TensorProto.DataType values (onnx.proto). */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
  floats?: number[];
  strings?: Uint8Array[];
  /** A subgraph (Scan's body). */
  g?: GraphProto;
}

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface NodeProto {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
  /** Operator set domain; empty (the default ONNX domain) for every node this exporter writes. */
  domain?: string;
}

export interface DimensionProto {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: DimensionProto[] } } };
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}

export interface ModelProto {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphProto;
  metadata_props: { key: string; value: string }[];
}

/** The parsed schema (package `onnx`). */
export const ONNX_ROOT = protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: true }).root;
// Resolving up front makes protobufjs pick packed encoding for repeated scalars (proto3 default).
ONNX_ROOT.resolveAll();
const ModelType = ONNX_ROOT.lookupType('onnx.ModelProto');

/**
 * Encodes `model` into one buffer allocated up front: protobufjs's writer otherwise doubles its buffer as it grows
 * and copies it once more at the end, which held about 3.4× the weights at the peak (BENCHMARKS.md). The size is
 * that of the model without tensor bytes plus each tensor's bytes and length prefixes.
 */
export function encodeModel(model: ModelProto): Uint8Array {
  const tensors = model.graph.initializer;
  const skeleton = {
    ...model,
    graph: { ...model.graph, initializer: tensors.map((t) => ({ ...t, raw_data: EMPTY })) },
  };
  const frame = ModelType.encode(skeleton).finish().length;
  // Per tensor: up to 5 more bytes for raw_data's length and 5 for the TensorProto's; 10 for the graph's own.
  const capacity = frame + tensors.reduce((n, t) => n + t.raw_data.byteLength + 10, 10);
  const writer = protobuf.Writer.create();
  // The writer's own kind of buffer (a Node Buffer for the BufferWriter it creates under Node).
  writer.buf = (writer.constructor as typeof protobuf.Writer).alloc(capacity);
  const bytes = ModelType.encode(model, writer).finish(true);
  // protobufjs hands back a Node Buffer; callers get a plain Uint8Array view of the same memory.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const EMPTY = new Uint8Array(0);

/** Decodes an ONNX file into plain objects (int64 as numbers, bytes as Uint8Array). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const message = ModelType.decode(bytes);
  return ModelType.toObject(message, { longs: Number, defaults: false, arrays: true }) as ModelProto;
}
