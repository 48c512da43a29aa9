import { ExportError, type LayerRef } from '../errors.js';
import type { GraphBuilder, Shape, Value } from '../graph.js';
import type { LayerConfig, LayerWeights } from '../layer-config.js';

export interface ConvertArgs {
  graph: GraphBuilder;
  layer: LayerRef;
  config: LayerConfig;
  weights: LayerWeights;
  /** The layer's inputs, in call order (none for InputLayer). */
  inputs: readonly Value[];
  inputShapes: readonly Shape[];
  outputShape: Shape;
}

/** What the README's coverage table says about a converted class: the ONNX ops it becomes and its options. */
export interface ConverterDoc {
  onnx: string;
  options: string;
}

/** Converts one call of a tfjs layer into ONNX nodes and returns the value (or values) it produces. */
export interface Converter {
  doc?: ConverterDoc;
  /** Handles an input's `mask` itself (tfjs masks change recurrent layers); others refuse a masked input. */
  consumesMasks?: boolean;
  /** The layer's output, or its outputs in tfjs's order for a layer with several (returnState). */
  convert(args: ConvertArgs): Value | Value[];
}

/** A built-in converter for a family of tfjs layer classes; `classDocs` overrides `doc` per class. */
export interface ConverterFamily extends Converter {
  classNames: readonly string[];
  doc: ConverterDoc;
  classDocs?: Readonly<Record<string, ConverterDoc>>;
}

/** The one input of a single-input layer. */
export function single(args: ConvertArgs): Value {
  const [input] = args.inputs;
  if (args.inputs.length !== 1 || input === undefined) {
    throw new ExportError(`layer '${args.layer.name}' (${args.layer.className}): expects one input`);
  }
  return input;
}
