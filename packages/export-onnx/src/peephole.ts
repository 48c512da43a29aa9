// Graph clean-up after conversion: fold Transpose chains, then drop nodes and initializers nobody reads.
import { composePerms, isIdentityPerm } from './layout.js';
import { AttributeType, type NodeProto, type TensorProto } from './proto/index.js';

export interface PeepholeGraph {
  nodes: NodeProto[];
  initializers: TensorProto[];
  outputs: readonly string[];
}

export function optimize(graph: PeepholeGraph): PeepholeGraph {
  return removeDead(foldTransposes(graph));
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
