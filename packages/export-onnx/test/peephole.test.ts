import { expect, it } from 'vitest';
import { optimize } from '../src/peephole.js';
import { AttributeType, DataType, type NodeProto } from '../src/proto/index.js';

const transpose = (name: string, input: string, perm: number[]): NodeProto => ({
  name,
  op_type: 'Transpose',
  input: [input],
  output: [name],
  attribute: [{ name: 'perm', type: AttributeType.INTS, ints: perm }],
});
const relu = (name: string, input: string): NodeProto => ({
  name,
  op_type: 'Relu',
  input: [input],
  output: [name],
  attribute: [],
});
const unusedWeight = { name: 'w', dims: [1], data_type: DataType.FLOAT, raw_data: new Uint8Array(4) };

it('removes a Transpose pair that cancels and rewires its consumers', () => {
  const { nodes, initializers } = optimize({
    nodes: [transpose('t1', 'x', [0, 4, 1, 2, 3]), transpose('t2', 't1', [0, 2, 3, 4, 1]), relu('y', 't2')],
    initializers: [unusedWeight],
    outputs: ['y'],
  });
  expect(nodes).toEqual([relu('y', 'x')]);
  expect(initializers).toEqual([]);
});

it('merges a Transpose pair that does not cancel into one Transpose', () => {
  const { nodes } = optimize({
    nodes: [transpose('t1', 'x', [0, 2, 1, 3]), transpose('t2', 't1', [0, 1, 3, 2]), relu('y', 't2')],
    initializers: [],
    outputs: ['y'],
  });
  // out[i] = in[perm[i]]: first [0,2,1,3], then [0,1,3,2] → [0,2,3,1].
  expect(nodes.map((n) => [n.op_type, n.input, n.attribute[0]?.ints])).toEqual([
    ['Transpose', ['x'], [0, 2, 3, 1]],
    ['Relu', ['t2'], undefined],
  ]);
});

it('keeps a cancelling pair whose result is a graph output (the output needs a producer)', () => {
  const { nodes } = optimize({
    nodes: [transpose('t1', 'x', [1, 0]), transpose('t2', 't1', [1, 0])],
    initializers: [],
    outputs: ['t2'],
  });
  expect(nodes.map((n) => n.input[0])).toEqual(['x']);
});
