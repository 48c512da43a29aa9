import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type protobuf from 'protobufjs';
import { expect, it } from 'vitest';
import { AttributeType, encodeModel, ONNX_ROOT } from '../src/proto/index.js';

const MESSAGES = [
  'ModelProto',
  'GraphProto',
  'NodeProto',
  'AttributeProto',
  'TensorProto',
  'ValueInfoProto',
  'TypeProto',
  'TypeProto.Tensor',
  'TensorShapeProto',
  'TensorShapeProto.Dimension',
  'OperatorSetIdProto',
  'StringStringEntryProto',
];

const DUMP = `
import json, sys, onnx
out = {}
for name in sys.argv[1:]:
    message = onnx
    for part in name.split("."):
        message = getattr(message, part)
    out[name] = {f.name: [f.number, f.type] for f in message.DESCRIPTOR.fields}
print(json.dumps(out))
`;

// protobuf descriptor type codes (google/protobuf/descriptor.proto FieldDescriptorProto.Type).
const WIRE_TYPES: Record<string, number> = {
  float: 2,
  int64: 3,
  int32: 5,
  string: 9,
  bytes: 12,
  uint64: 4,
  double: 1,
};
const MESSAGE_TYPE = 11;
const ENUM_TYPE = 14;

it("every field of our schema has onnx.proto's number and type (python3-onnx's descriptors)", async () => {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', DUMP, ...MESSAGES]);
  const reference = JSON.parse(stdout) as Record<string, Record<string, [number, number]>>;
  let compared = 0;
  for (const name of MESSAGES) {
    const type = ONNX_ROOT.lookupType(`onnx.${name}`);
    for (const field of type.fieldsArray as protobuf.Field[]) {
      const expected = reference[name]?.[field.name];
      expect(expected, `${name}.${field.name} exists in onnx.proto`).toBeDefined();
      const kind = field.resolvedType
        ? 'values' in field.resolvedType
          ? ENUM_TYPE
          : MESSAGE_TYPE
        : WIRE_TYPES[field.type];
      expect([field.id, kind], `${name}.${field.name}`).toEqual(expected);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(50);
});

it('writes INT and FLOAT attributes whose value is 0 (proto2 readers such as OpenCV test has_i / has_f)', async () => {
  const bytes = encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'test',
    producer_version: '0',
    doc_string: '',
    graph: {
      name: 'g',
      node: [
        {
          name: 'n',
          op_type: 'LeakyRelu',
          input: ['x'],
          output: ['y'],
          attribute: [{ name: 'alpha', type: AttributeType.FLOAT, f: 0 }],
        },
        {
          name: 'm',
          op_type: 'Flatten',
          input: ['y'],
          output: ['z'],
          attribute: [{ name: 'axis', type: AttributeType.INT, i: 0 }],
        },
      ],
      initializer: [],
      input: [],
      output: [],
    },
    metadata_props: [],
  });
  const dir = await mkdtemp(join(tmpdir(), 'export-onnx-proto-'));
  await writeFile(join(dir, 'm.onnx'), bytes);
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [
    '-c',
    'import sys, onnx; g = onnx.load(sys.argv[1]).graph; print(g.node[0].attribute[0].HasField("f"), g.node[1].attribute[0].HasField("i"))',
    join(dir, 'm.onnx'),
  ]);
  expect(stdout.trim()).toBe('True True');
});
