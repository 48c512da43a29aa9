// Walks a tfjs LayersModel (Sequential or functional) in dependency order and converts every layer call.
// A model used as a layer inside another (nested Sequential/Functional) is walked in place.

import { oneLine } from '@conv3d/core/node';
import type * as tf from '@tensorflow/tfjs';
import { REGISTRY } from './converters/index.js';
import { MASK_PASSING } from './converters/masking.js';
import { ExportError, FixedSizeNeeded, type LayerRef } from './errors.js';
import { GraphBuilder, type Shape, type Value } from './graph.js';
import { LayerConfig, LayerWeights } from './layer-config.js';

export interface GraphEndpoint {
  name: string;
  /** tfjs shape: channels-last, batch null. */
  shape: Shape;
}

export interface ConvertedGraph {
  graph: GraphBuilder;
  inputs: GraphEndpoint[];
  outputs: GraphEndpoint[];
}

/** Converts `model`; with `freeSize`, converters that need the saved spatial sizes throw FixedSizeNeeded. */
export function convertLayers(model: tf.LayersModel, freeSize = false): ConvertedGraph {
  const graph = new GraphBuilder(freeSize);
  const inputValues = model.inputs.map(
    (tensor) => convertCall(graph, tensor.sourceLayer, [], [], tensor.shape) as Value,
  );
  const inputs = model.inputs.map((tensor, i) => ({
    name: inputValues[i]?.names.channelsLast as string,
    shape: tensor.shape,
  }));
  // Reserved before any layer is converted so the graph outputs carry the output layers' own names.
  const outputNames = model.outputs.map((tensor) => graph.uniqueName(tensor.sourceLayer.name));
  const outputValues = convertSubgraph(graph, model, inputValues);

  const inputNames = new Set(inputs.map((e) => e.name));
  const renamed = new Map<string, string>();
  const outputs = outputNames.map((name, i) => {
    const value = outputValues[i] as Value;
    const source = graph.in(value, 'channelsLast');
    const earlier = renamed.get(source);
    if (earlier !== undefined || inputNames.has(source)) {
      graph.nodes.push({
        name: `${name}/Identity`,
        op_type: 'Identity',
        input: [earlier ?? source],
        output: [name],
        attribute: [],
      });
    } else {
      rename(graph, source, name);
      renamed.set(source, name);
    }
    // The converter's shape: tfjs mis-reports a few (Resizing drops the batch and channel dims).
    return { name, shape: value.shape };
  });
  return { graph, inputs, outputs };
}

/** Converts the layers of `model` fed with `inputValues` (one per model input); returns its output values. */
function convertSubgraph(graph: GraphBuilder, model: tf.LayersModel, inputValues: readonly Value[]): Value[] {
  const values = new Map<number, Value>();
  model.inputs.forEach((tensor, i) => {
    values.set(tensor.id, inputValues[i] as Value);
  });
  const pending = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  let progress = true;
  while (progress) {
    progress = false;
    for (const layer of pending) {
      for (const node of layer.inboundNodes) {
        const [firstOut] = node.outputTensors;
        if (firstOut === undefined || values.has(firstOut.id)) continue;
        const args = node.inputTensors.map((t) => values.get(t.id));
        if (!args.every((v): v is Value => v !== undefined)) continue;
        const shapes = node.inputTensors.map((t) => t.shape);
        // A nested model gives one value per output; a converter a list for a layer with several (returnState).
        const converted = isModel(layer)
          ? convertSubgraph(graph, layer, args)
          : convertCall(graph, layer, args, shapes, firstOut.shape);
        const results = Array.isArray(converted) ? converted : [converted];
        if (results.length !== node.outputTensors.length) {
          throw new ExportError(
            `layer '${layer.name}' (${layer.getClassName()}): its converter gave ${results.length} outputs, tfjs has ${node.outputTensors.length}`,
          );
        }
        node.outputTensors.forEach((t, i) => {
          values.set(t.id, results[i] as Value);
        });
        progress = true;
      }
    }
  }
  return model.outputs.map((tensor) => {
    const value = values.get(tensor.id);
    if (value === undefined) {
      throw new ExportError(`model output '${tensor.name}' does not depend on the model inputs only`);
    }
    return value;
  });
}

function isModel(layer: tf.layers.Layer): layer is tf.LayersModel {
  return 'layers' in layer && 'inputs' in layer && 'outputs' in layer && Array.isArray(layer.layers);
}

function convertCall(
  graph: GraphBuilder,
  layer: tf.layers.Layer,
  inputs: readonly Value[],
  inputShapes: readonly Shape[],
  outputShape: Shape,
): Value | Value[] {
  const ref: LayerRef = { name: layer.name, className: layer.getClassName() };
  const converter = REGISTRY.get(ref.className);
  if (converter === undefined) {
    throw new ExportError(
      `layer '${ref.name}' (${ref.className}): layer class ${ref.className} is not supported (see the README's supported layers)`,
    );
  }
  let value: Value | Value[];
  try {
    value = converter.convert({
      graph,
      layer: ref,
      config: new LayerConfig(ref, layer.getConfig() as Record<string, unknown>),
      weights: new LayerWeights(ref, layer),
      inputs,
      inputShapes,
      outputShape,
    });
  } catch (error) {
    if (error instanceof ExportError || error instanceof FixedSizeNeeded) throw error;
    throw new ExportError(`layer '${ref.name}' (${ref.className}): ${oneLine(String(error))}`);
  }
  // tfjs hands a mask on through every layer that supports masking: recurrent converters use it, layers that
  // ignore it pass it on, and any other is refused.
  const mask = inputs[0]?.mask;
  if (Array.isArray(value) || converter.consumesMasks) return value;
  if (mask !== undefined && layer.supportsMasking && value.mask === undefined) {
    if (inputs.length !== 1 || !MASK_PASSING.has(ref.className)) {
      throw new ExportError(
        `layer '${ref.name}' (${ref.className}): a mask (Masking or Embedding maskZero upstream) reaches it; masks are converted into recurrent layers and through layers that ignore them`,
      );
    }
    value.mask = mask;
  }
  return value;
}

/** Renames a node output everywhere it appears. */
function rename(graph: GraphBuilder, from: string, to: string): void {
  for (const node of graph.nodes) {
    node.input = node.input.map((n) => (n === from ? to : n));
    node.output = node.output.map((n) => (n === from ? to : n));
  }
}
