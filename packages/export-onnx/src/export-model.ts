// In-memory export: tfjs LayersModel → ONNX ModelProto bytes, carrying the model contract.

import {
  ContractError,
  contractFromMetadata,
  contractToMetadata,
  defineContract,
  type ModelContract,
} from '@conv3d/core';
import type * as tf from '@tensorflow/tfjs';
import { embedPreprocessing } from './embed-preprocessing.js';
import { ExportError, FixedSizeNeeded } from './errors.js';
import type { Shape } from './graph.js';
import { optimize } from './peephole.js';
import {
  DataType,
  type DimensionProto,
  encodeModel,
  type ModelProto,
  type ValueInfoProto,
} from './proto/index.js';
import { type ConvertedGraph, convertLayers, type GraphEndpoint } from './traverse.js';
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
  /** Overrides the contract's preprocessing: a registered id (@conv3d/core's registry) that fits its channels. */
  preprocessing?: string;
  /**
   * Puts the contract's preprocessing into the graph: the input becomes raw rows [N, D·H·W·raw_channels] float32
   * (voxel order d, h, w, c) and the metadata says `conv3d.input_kind` "raw". Needs a contract.
   */
  embedPreprocessing?: boolean;
  /**
   * With `embedPreprocessing`: writes the preprocessing with ops OpenCV 4.6's importer takes (oranges-rgb's lookup
   * as Relu hinges in two 1×1×1 Convs instead of a Gather), slower in onnxruntime. minmax and none need no change.
   */
  opencvCompatible?: boolean;
  producer?: { name: string; version: string };
  /**
   * Keep the saved spatial (or time) sizes in the graph input. By default a model whose every layer allows it gets
   * symbolic dims (`D`, `H`, `W` / `T`) between the batch and the channels, so one file serves any size.
   */
  fixedSize?: boolean;
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
  /** The graph inputs' dims as written: sizes, or the names of symbolic dims. */
  inputShapes: (number | string)[][];
  /** True when the graph inputs have symbolic spatial (or time) dims. */
  freeSize: boolean;
  /** Why the saved sizes were kept although free sizes were asked for (the first layer that needs them). */
  fixedSizeReason?: string;
}

export interface ExportResult {
  bytes: Uint8Array;
  summary: ExportSummary;
}

/** Converts `model` to an ONNX file (IR 8, opset 17) and describes it. */
export function convertModel(model: tf.LayersModel, options: ExportOptions = {}): ExportResult {
  const contract = contractFor(model, options);
  const embed = options.embedPreprocessing === true;
  if (embed && contract === null) {
    throw new ExportError(
      `embedPreprocessing needs a model contract, and model '${model.name}' has none (no 'conv3d' user-defined metadata and no contract option)`,
    );
  }
  if (embed && contract?.inputKind === 'raw') {
    throw new ExportError(
      `embedPreprocessing: the contract says model '${model.name}' already takes raw rows (input_kind 'raw'); nothing to embed`,
    );
  }
  if (options.opencvCompatible === true && !embed) {
    throw new ExportError('opencvCompatible applies to embedPreprocessing only; set embedPreprocessing too');
  }
  const { converted, freeSize, fixedSizeReason } = convertWithSizes(
    model,
    options.fixedSize !== true,
    contract,
  );
  const { graph, inputs, outputs } = converted;
  const symbolic = (e: GraphEndpoint, i: number) =>
    freeSize
      ? symbolicDims(e, inputs.length === 1, isTokenSequence(model.inputs[i] as tf.SymbolicTensor))
      : [];
  let graphInputs = inputs.map((e, i) => valueInfo(e.name, e.shape, symbolic(e, i)));
  let written = contract;
  if (embed && contract !== null) {
    const [modelInput] = inputs as [GraphEndpoint];
    graphInputs = [
      valueInfo(embedPreprocessing(graph, modelInput.name, contract, options.opencvCompatible === true), [
        null,
        contract.rawLength,
      ]),
    ];
    written = defineContract({ ...contract, inputKind: 'raw' }, 'contract', contract.version);
  }
  const optimized = optimize({
    nodes: graph.nodes,
    initializers: graph.initializers,
    outputs: outputs.map((o) => o.name),
  });
  const metadata = written === null ? {} : contractToMetadata(written);
  const producer = options.producer ?? { name: PRODUCER_NAME, version: PRODUCER_VERSION };
  const proto: ModelProto = {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET_VERSION }],
    producer_name: producer.name,
    producer_version: producer.version,
    doc_string: embed
      ? `tfjs LayersModel '${model.name}' with its preprocessing; input: raw rows, output: probabilities`
      : `tfjs LayersModel '${model.name}'; inputs and outputs are channels-last like tfjs`,
    graph: {
      name: model.name,
      node: optimized.nodes,
      initializer: optimized.initializers,
      input: graphInputs,
      output: outputs.map((e) => valueInfo(e.name, e.shape, freeSize ? symbolicDims(e, false) : [])),
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
      inputShapes: graphInputs.map((vi) =>
        (vi.type.tensor_type.shape.dim as DimensionProto[]).map(
          (d) => d.dim_param ?? (d.dim_value as number),
        ),
      ),
      freeSize,
      ...(fixedSizeReason === undefined ? {} : { fixedSizeReason }),
    },
  };
}

/**
 * Converts with free sizes when asked and every layer allows it, else with the saved sizes. A contract states one
 * input shape (and @conv3d/core's checkModel holds the graph to it), so a model with a contract keeps its size.
 */
function convertWithSizes(
  model: tf.LayersModel,
  free: boolean,
  contract: ModelContract | null,
): { converted: ConvertedGraph; freeSize: boolean; fixedSizeReason?: string } {
  if (free && model.inputs.some((t) => t.shape.length >= 3 || isTokenSequence(t))) {
    if (contract !== null) {
      const fixedSizeReason = `the model contract states the input shape [${contract.inputShape.join(', ')}]`;
      return { converted: convertLayers(model, false), freeSize: false, fixedSizeReason };
    }
    try {
      return { converted: convertLayers(model, true), freeSize: true };
    } catch (error) {
      if (!(error instanceof FixedSizeNeeded)) throw error;
      return { converted: convertLayers(model, false), freeSize: false, fixedSizeReason: error.message };
    }
  }
  return { converted: convertLayers(model, false), freeSize: false };
}

/** A rank-2 input read only by Embedding layers holds token ids [N, T]: its axis 1 is a time axis. */
function isTokenSequence(tensor: tf.SymbolicTensor): boolean {
  const consumers = tensor.sourceLayer.outboundNodes.map((node) => node.outboundLayer.getClassName());
  return tensor.shape.length === 2 && consumers.length > 0 && consumers.every((c) => c === 'Embedding');
}

const SPATIAL_NAMES: Readonly<Record<number, readonly string[]>> = {
  1: ['T'],
  2: ['H', 'W'],
  3: ['D', 'H', 'W'],
};

/**
 * The symbolic names of the dims between batch and channels of a graph input or output: D, H, W (or T for
 * sequences), prefixed with the tensor's name when several inputs could differ in size.
 */
function symbolicDims(e: GraphEndpoint, shared: boolean, tokens = false): (string | undefined)[] {
  if (tokens) return [undefined, shared ? 'T' : `${e.name}_T`];
  const inner = e.shape.length - 2;
  if (inner < 1) return [];
  const names = SPATIAL_NAMES[inner] ?? Array.from({ length: inner }, (_, i) => `dim${i + 1}`);
  return [undefined, ...names.map((n) => (shared ? n : `${e.name}_${n}`))];
}

/** Converts `model` to the bytes of an ONNX file. */
export function exportModel(model: tf.LayersModel, options: ExportOptions = {}): Uint8Array {
  return convertModel(model, options).bytes;
}

/**
 * The contract of the model's input, checked against the model, with the options' test
 * accuracy and preprocessing; null when there is none. It comes from the model or from the caller, never assumed.
 */
function contractFor(model: tf.LayersModel, options: ExportOptions): ModelContract | null {
  const { testAccuracy } = options;
  if (testAccuracy !== undefined && !(testAccuracy >= 0 && testAccuracy <= 1)) {
    throw new ExportError(`testAccuracy must be a number in [0, 1], got ${testAccuracy}`);
  }
  const given = options.contract === undefined ? (carriedContract(model) ?? null) : options.contract;
  if (given === null) {
    if (options.preprocessing !== undefined) {
      throw new ExportError(
        `preprocessing '${options.preprocessing}' needs a model contract, and there is none`,
      );
    }
    return null;
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new ExportError(
      `a model contract needs one input and one output, model '${model.name}' has ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  let contract: ModelContract;
  try {
    contract = defineContract(
      {
        ...given,
        ...(testAccuracy === undefined ? {} : { testAccuracy }),
        ...(options.preprocessing === undefined ? {} : { preprocessing: options.preprocessing }),
      },
      options.preprocessing === undefined ? 'contract' : 'option preprocessing',
      given.version,
    );
  } catch (error) {
    if (error instanceof ContractError) throw new ExportError(error.message);
    throw error;
  }
  const inputShape = model.inputs[0]?.shape.slice(1) ?? [];
  const outputShape = model.outputs[0]?.shape.slice(1) ?? [];
  // A free (null) model dim takes the contract's size.
  const fits =
    inputShape.length === contract.inputShape.length &&
    inputShape.every((d, i) => d === null || d === contract.inputShape[i]);
  if (!fits) {
    throw new ExportError(
      `contract input shape ${JSON.stringify(contract.inputShape)} does not match the model's ${JSON.stringify(inputShape)}`,
    );
  }
  if (JSON.stringify(outputShape) !== JSON.stringify([contract.labels.length])) {
    throw new ExportError(
      `contract has ${contract.labels.length} labels but the model outputs ${JSON.stringify(outputShape)}`,
    );
  }
  return contract;
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

/** `symbolic[i]`, when given, names dim i instead of its saved size. */
function valueInfo(
  name: string,
  shape: Shape,
  symbolic: readonly (string | undefined)[] = [],
): ValueInfoProto {
  const dim = shape.map((d, i): DimensionProto => {
    const param = i === 0 ? BATCH_DIM : (symbolic[i] ?? (d === null ? `${name}_dim${i}` : undefined));
    return param === undefined ? { dim_value: d as number } : { dim_param: param };
  });
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } } };
}
