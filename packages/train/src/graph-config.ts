// A graph config: named layers with their inputs, so U-Nets (skip connections + Concatenate) and residual blocks
// (Add) train from a file. A layer without `inputs` takes the layer before it (the first: the model input), so
// chains read as a Sequential list and only merges and skips name their inputs:
//   "graph": { "inputs": ["image"], "layers": [{ "name", "className", "config", "inputs": ["a", "b"] }, ...],
//              "outputs": ["probs"] }
// Everything is checked up front: unknown or later layers as inputs, repeated names, merges with one input.
import { checkClassCounts, type LayerSpec, parseLayer } from './config.js';
import { ConfigError, isRecord, show } from './config-checks.js';

/** The model input's name and the output layer's name. */
export interface GraphSpec {
  input: string;
  output: string;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const MERGES = new Set(['Concatenate', 'Add']);

function names(where: string, raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((n) => typeof n === 'string')) {
    throw new ConfigError(`${where}: expected a non-empty array of layer names, got ${show(raw)}`);
  }
  return raw as string[];
}

function oneName(where: string, raw: unknown): string {
  const list = names(where, raw);
  if (list.length !== 1) {
    throw new ConfigError(`${where}: one is supported, got ${list.length} (${list.join(', ')})`);
  }
  return list[0] as string;
}

/** Validates a `graph` section into its layers (each with name and inputs) and the input and output names. */
export function parseGraph(source: string, raw: unknown): { layers: LayerSpec[]; graph: GraphSpec } {
  const at = `${source}: graph`;
  if (!isRecord(raw)) throw new ConfigError(`${at}: expected { "inputs", "layers", "outputs" }`);
  for (const key of Object.keys(raw)) {
    if (!['inputs', 'layers', 'outputs'].includes(key)) {
      throw new ConfigError(`${at}: unknown key '${key}' (allowed: inputs, layers, outputs)`);
    }
  }
  const input = oneName(`${at}.inputs`, raw.inputs);
  if (!NAME.test(input))
    throw new ConfigError(`${at}.inputs: '${input}' is not a valid name (letters, digits, _)`);
  if (!Array.isArray(raw.layers) || raw.layers.length === 0) {
    throw new ConfigError(`${at}.layers: expected a non-empty array of layers`);
  }
  const defined = new Set([input]);
  let previous = input;
  const layers = raw.layers.map((entry, i) => {
    const where = `${at}.layers[${i}]`;
    const given = isRecord(entry) && typeof entry.name === 'string' ? ` '${entry.name}'` : '';
    const layer = parseLayer(`${where}${given}`, entry, ['name', 'inputs']);
    const e = entry as Record<string, unknown>;
    const name = e.name ?? layer.config.name ?? `${layer.className.toLowerCase()}_${i}`;
    const label = `${where} '${String(name)}' (${layer.className})`;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ConfigError(
        `${where} (${layer.className}): 'name' must be letters, digits and _, got ${show(name)}`,
      );
    }
    if (defined.has(name)) throw new ConfigError(`${label}: the name '${name}' is already taken`);
    if (layer.config.inputShape !== undefined || layer.className === 'InputLayer') {
      throw new ConfigError(`${label}: a graph takes its input shape from 'inputs' and the data`);
    }
    const inputs = e.inputs === undefined ? [previous] : names(`${label}: 'inputs'`, e.inputs);
    for (const from of inputs) {
      if (!defined.has(from)) {
        throw new ConfigError(
          `${label}: input '${from}' is not the model input or a layer defined before it`,
        );
      }
    }
    const merge = MERGES.has(layer.className);
    if (merge !== inputs.length > 1 || (merge && inputs.length < 2)) {
      throw new ConfigError(
        merge
          ? `${label}: a merge needs at least 2 inputs, got ${inputs.length}`
          : `${label}: takes one input, got ${inputs.length} (${inputs.join(', ')})`,
      );
    }
    defined.add(name);
    previous = name;
    return { ...layer, config: { ...layer.config, name }, name, inputs };
  });
  checkClassCounts(source, layers, (i) => `graph.layers[${i}] '${layers[i]?.name}'`);
  const output = oneName(`${at}.outputs`, raw.outputs);
  if (!layers.some((l) => l.name === output)) {
    throw new ConfigError(`${at}.outputs: '${output}' is not a layer of the graph`);
  }
  return { layers, graph: { input, output } };
}
