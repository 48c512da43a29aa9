// Walks a tfjs LayersModel (Sequential or functional) in dependency order and converts every layer call.
// A model used as a layer inside another (nested Sequential/Functional) is walked in place.

import { oneLine } from '@conv3d/core/node';
import type * as tf from '@tensorflow/tfjs';
import { REGISTRY } from './converters/index.js';
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
  const inputValues = model.inputs.map((tensor) =>
    convertCall(graph, tensor.sourceLayer, [], [], tensor.shape),
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
  const outputs = model.outputs.map((tensor, i) => {
    const name = outputNames[i] as string;
    const source = graph.in(outputValues[i] as Value, 'channelsLast');
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
    return { name, shape: tensor.shape };
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
        if (isModel(layer)) {
          const outs = convertSubgraph(graph, layer, args);
          node.outputTensors.forEach((t, i) => {
            values.set(t.id, outs[i] as Value);
          });
        } else if (node.outputTensors.length !== 1) {
          throw new ExportError(
            `layer '${layer.name}' (${layer.getClassName()}): multiple outputs are not supported`,
          );
        } else {
          values.set(firstOut.id, convertCall(graph, layer, args, shapes, firstOut.shape));
        }
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
): Value {
  const ref: LayerRef = { name: layer.name, className: layer.getClassName() };
  const converter = REGISTRY.get(ref.className);
  if (converter === undefined) {
    throw new ExportError(
      `layer '${ref.name}' (${ref.className}): layer class ${ref.className} is not supported (see the README's supported layers)`,
    );
  }
  try {
    return converter.convert({
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
}

/** Renames a node output everywhere it appears. */
function rename(graph: GraphBuilder, from: string, to: string): void {
  for (const node of graph.nodes) {
    node.input = node.input.map((n) => (n === from ? to : n));
    node.output = node.output.map((n) => (n === from ? to : n));
  }
}
