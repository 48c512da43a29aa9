// Graph clean-up after conversion: fold Transpose chains, then drop nodes and initializers nobody reads.
import { composePerms, isIdentityPerm } from './layout.js';
import { AttributeType, type NodeProto, type TensorProto } from './proto/index.js';

export interface PeepholeGraph {
  nodes: NodeProto[];
  initializers: TensorProto[];
  outputs: readonly string[];
}

export function optimize(graph: PeepholeGraph): PeepholeGraph {
  return guardPadsBeforePools(removeDead(foldTransposes(graph)));
}

const POOLS = new Set(['MaxPool', 'AveragePool']);

/**
 * onnxruntime (since its PR #18136, still in 1.30) fuses a zero Pad into a following MaxPool's `pads`, which a
 * MaxPool treats as −∞: the max over a window of negative values and padded zeros comes out negative instead of 0,
 * and pads ≥ the kernel fail at session creation. A one-input Max (the identity, which no optimizer folds) between
 * the two keeps them apart. AveragePool gets the same guard: its padding is not zeros either.
 */
function guardPadsBeforePools(graph: PeepholeGraph): PeepholeGraph {
  const pads = new Set(graph.nodes.filter((n) => n.op_type === 'Pad').map((n) => n.output[0] as string));
  const guarded = new Map<string, string>();
  const nodes: NodeProto[] = [];
  for (const node of graph.nodes) {
    const input = node.input[0] as string;
    if (POOLS.has(node.op_type) && pads.has(input)) {
      let guard = guarded.get(input);
      if (guard === undefined) {
        guard = `${input}/unfused`;
        guarded.set(input, guard);
        nodes.push({
          name: `${input}/unfused/Max`,
          op_type: 'Max',
          input: [input],
          output: [guard],
          attribute: [],
        });
      }
      nodes.push({ ...node, input: [guard, ...node.input.slice(1)] });
    } else {
      nodes.push(node);
    }
  }
  return { ...graph, nodes };
}

/** Transpose(Transpose(x)) → x when the perms cancel, else one Transpose with the composed perm. */
function foldTransposes(graph: PeepholeGraph): PeepholeGraph {
  const producer = new Map<string, NodeProto>();
  const replaced = new Map<string, string>();
  const resolve = (name: string) => replaced.get(name) ?? name;
  const nodes: NodeProto[] = [];
  for (const original of graph.nodes) {
    const node = { ...original, input: original.input.map(resolve) };
    const parent = node.op_type === 'Transpose' ? producer.get(node.input[0] as string) : undefined;
    if (parent !== undefined && parent.op_type === 'Transpose') {
      const perm = composePerms(permOf(parent), permOf(node));
      const source = parent.input[0] as string;
      const output = node.output[0] as string;
      if (isIdentityPerm(perm) && !graph.outputs.includes(output)) {
        replaced.set(output, source);
        continue;
      }
      node.input = [source];
      node.attribute = [{ name: 'perm', type: AttributeType.INTS, ints: perm }];
    }
    for (const output of node.output) producer.set(output, node);
    nodes.push(node);
  }
  return { ...graph, nodes };
}

function permOf(node: NodeProto): number[] {
  return node.attribute.find((a) => a.name === 'perm')?.ints ?? [];
}

function removeDead(graph: PeepholeGraph): PeepholeGraph {
  const needed = new Set(graph.outputs);
  const kept: NodeProto[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i] as NodeProto;
    if (!node.output.some((o) => needed.has(o))) continue;
    for (const input of node.input) needed.add(input);
    kept.push(node);
  }
  return {
    ...graph,
    nodes: kept.reverse(),
    initializers: graph.initializers.filter((t) => needed.has(t.name)),
  };
}
