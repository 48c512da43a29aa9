// In-memory export: tfjs LayersModel → ONNX ModelProto bytes, carrying the model contract.

import {
  ContractError,
  contractFromMetadata,
  contractToMetadata,
  type ModelContract,
  withTestAccuracy,
} from '@conv3d/core';
import type * as tf from '@tensorflow/tfjs';
import { ExportError } from './errors.js';
import type { Shape } from './graph.js';
import { optimize } from './peephole.js';
import {
  DataType,
  type DimensionProto,
  encodeModel,
  type ModelProto,
  type ValueInfoProto,
} from './proto/index.js';
import { convertLayers } from './traverse.js';
import { PRODUCER_NAME, PRODUCER_VERSION } from './version.js';

export const IR_VERSION = 8;
export const OPSET_VERSION = 17;
/** Name of the dynamic batch dimension of every graph input and output. */
export const BATCH_DIM = 'N';

export interface ExportOptions {
  /**
   * Contract written to metadata_props. Default: the contract the model carries in its user-defined metadata
   * (`conv3d`, as @conv3d/train saves it), else none. `null` writes none.
   */
  contract?: ModelContract | null;
  /** Test accuracy of the training run, in [0, 1]; overrides `contract.testAccuracy`. */
  testAccuracy?: number;
  producer?: { name: string; version: string };
}

export interface ExportSummary {
  nodes: number;
  initializers: number;
  /** Trainable and non-trainable parameters of the tfjs model. */
  parameters: number;
  bytes: number;
  opTypes: Record<string, number>;
  inputs: string[];
  outputs: string[];
  metadata: Record<string, string>;
}

export interface ExportResult {
  bytes: Uint8Array;
  summary: ExportSummary;
}

/** Converts `model` to an ONNX file (IR 8, opset 17) and describes it. */
export function convertModel(model: tf.LayersModel, options: ExportOptions = {}): ExportResult {
  const { graph, inputs, outputs } = convertLayers(model);
  const optimized = optimize({
    nodes: graph.nodes,
    initializers: graph.initializers,
    outputs: outputs.map((o) => o.name),
  });
  const metadata = metadataFor(model, options);
  const producer = options.producer ?? { name: PRODUCER_NAME, version: PRODUCER_VERSION };
  const proto: ModelProto = {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET_VERSION }],
    producer_name: producer.name,
    producer_version: producer.version,
    doc_string: `tfjs LayersModel '${model.name}'; inputs and outputs are channels-last like tfjs`,
    graph: {
      name: model.name,
      node: optimized.nodes,
      initializer: optimized.initializers,
      input: inputs.map((e) => valueInfo(e.name, e.shape)),
      output: outputs.map((e) => valueInfo(e.name, e.shape)),
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
  const bytes = encodeModel(proto);
  const opTypes: Record<string, number> = {};
  for (const node of optimized.nodes) opTypes[node.op_type] = (opTypes[node.op_type] ?? 0) + 1;
  return {
    bytes,
    summary: {
      nodes: optimized.nodes.length,
      initializers: optimized.initializers.length,
      parameters: model.countParams(),
      bytes: bytes.length,
      opTypes,
      inputs: inputs.map((e) => e.name),
      outputs: outputs.map((e) => e.name),
      metadata,
    },
  };
}

/** Converts `model` to the bytes of an ONNX file. */
export function exportModel(model: tf.LayersModel, options: ExportOptions = {}): Uint8Array {
  return convertModel(model, options).bytes;
}

function metadataFor(model: tf.LayersModel, options: ExportOptions): Record<string, string> {
  const { testAccuracy } = options;
  if (testAccuracy !== undefined && !(testAccuracy >= 0 && testAccuracy <= 1)) {
    throw new ExportError(`testAccuracy must be a number in [0, 1], got ${testAccuracy}`);
  }
  const inputShape = model.inputs[0]?.shape.slice(1) ?? [];
  const outputShape = model.outputs[0]?.shape.slice(1) ?? [];
  const contract = options.contract === undefined ? (carriedContract(model) ?? null) : options.contract;
  if (contract === null) return {};
  if (JSON.stringify(inputShape) !== JSON.stringify(contract.inputShape)) {
    throw new ExportError(
      `contract input shape ${JSON.stringify(contract.inputShape)} does not match the model's ${JSON.stringify(inputShape)}`,
    );
  }
  if (JSON.stringify(outputShape) !== JSON.stringify([contract.labels.length])) {
    throw new ExportError(
      `contract has ${contract.labels.length} labels but the model outputs ${JSON.stringify(outputShape)}`,
    );
  }
  return contractToMetadata(testAccuracy === undefined ? contract : withTestAccuracy(contract, testAccuracy));
}

/** The contract @conv3d/train stores in the model's user-defined metadata under `conv3d`, if any. */
function carriedContract(model: tf.LayersModel): ModelContract | undefined {
  const carried = (model.getUserDefinedMetadata() as { conv3d?: Record<string, string> } | undefined)?.conv3d;
  if (carried === undefined) return undefined;
  try {
    return contractFromMetadata(carried, `model '${model.name}' user-defined metadata 'conv3d'`);
  } catch (error) {
    if (error instanceof ContractError) throw new ExportError(error.message);
    throw error;
  }
}

function valueInfo(name: string, shape: Shape): ValueInfoProto {
  const dim = shape.map(
    (d, i): DimensionProto =>
      i === 0 ? { dim_param: BATCH_DIM } : d === null ? { dim_param: `${name}_dim${i}` } : { dim_value: d },
  );
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } } };
}
