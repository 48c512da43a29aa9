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

/** Converts one family of tfjs layers; `doc` becomes a row of the README's supported-layers table. */
export interface Converter {
  classNames: readonly string[];
  doc: { onnx: string; options: string };
  /** Handles an input's `mask` itself (tfjs masks change recurrent layers); others refuse a masked input. */
  consumesMasks?: boolean;
  /** The layer's output, or its outputs in tfjs's order for a layer with several (returnState). */
  convert(args: ConvertArgs): Value | Value[];
}

/** The one input of a single-input layer. */
export function single(args: ConvertArgs): Value {
  const [input] = args.inputs;
  if (args.inputs.length !== 1 || input === undefined) {
    throw new ExportError(`layer '${args.layer.name}' (${args.layer.className}): expects one input`);
  }
  return input;
}
