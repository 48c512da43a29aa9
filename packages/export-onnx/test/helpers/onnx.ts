import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../../src/index.js';

/** Runs the ONNX file on onnxruntime-node (CPU) with one input; returns the first output's data. */
export async function runOnnx(bytes: Uint8Array, input: Float32Array, shape: readonly number[]) {
  return (await runOnnxAll(bytes, [input], [shape]))[0] as Float32Array;
}

/** Runs the ONNX file with one float32 input per graph input; returns every output's data, in graph order. */
export async function runOnnxAll(
  bytes: Uint8Array,
  inputs: readonly Float32Array[],
  shapes: readonly (readonly number[])[],
): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds = Object.fromEntries(
      session.inputNames.map((name, i) => [
        name,
        new ort.Tensor('float32', inputs[i] as Float32Array, [...(shapes[i] as readonly number[])]),
      ]),
    );
    const result = await session.run(feeds);
    return session.outputNames.map((name) => result[name]?.data as Float32Array);
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

export function argmaxRows(data: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < data.length / classes; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if ((data[r * classes + c] as number) > (data[r * classes + best] as number)) best = c;
    out.push(best);
  }
  return out;
}

/** Transposes fed directly by another Transpose (a pair the exporter should have folded). */
export function transposeChains(bytes: Uint8Array): string[] {
  const { graph } = decodeModel(bytes);
  const producer = new Map(graph.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
  return graph.node
    .filter((n) => n.op_type === 'Transpose' && producer.get(n.input[0] as string)?.op_type === 'Transpose')
    .map((n) => n.name);
}

export function opCount(bytes: Uint8Array, op: string): number {
  return decodeModel(bytes).graph.node.filter((n) => n.op_type === op).length;
}

const CHECKER = `
import json, sys, onnx
result = {}
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        result[path] = "ok"
    except Exception as error:
        result[path] = (str(error).strip().splitlines() or [repr(error)])[0]
print(json.dumps(result))
`;

/** onnx.checker.check_model(full_check=True) from Debian's python3-onnx, for many models in one process. */
export async function checkWithOnnxChecker(models: readonly Uint8Array[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'export-onnx-check-'));
  const paths = await Promise.all(
    models.map(async (bytes, i) => {
      const path = join(dir, `model-${i}.onnx`);
      await writeFile(path, bytes);
      return path;
    }),
  );
  const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', CHECKER, ...paths], {
    maxBuffer: 16 << 20,
  });
  const result = JSON.parse(stdout) as Record<string, string>;
  return paths.map((p) => result[p] ?? 'missing');
}

const DESCRIBE = `
import json, sys, onnx
m = onnx.load(sys.argv[1])
dims = lambda vi: [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]
print(json.dumps({
    "ir_version": m.ir_version,
    "opsets": [[o.domain, o.version] for o in m.opset_import],
    "producer": [m.producer_name, m.producer_version],
    "metadata": {p.key: p.value for p in m.metadata_props},
    "inputs": [[i.name, dims(i)] for i in m.graph.input],
    "outputs": [[o.name, dims(o)] for o in m.graph.output],
    "ops": [n.op_type for n in m.graph.node],
}))
`;

export interface OnnxDescription {
  ir_version: number;
  opsets: [string, number][];
  producer: [string, string];
  metadata: Record<string, string>;
  inputs: [string, (string | number)[]][];
  outputs: [string, (string | number)[]][];
  ops: string[];
}

/** The model as Debian's python3-onnx reads it: an independent decoder of our bytes. */
export async function describeWithOnnx(bytes: Uint8Array): Promise<OnnxDescription> {
  const dir = await mkdtemp(join(tmpdir(), 'export-onnx-describe-'));
  const path = join(dir, 'model.onnx');
  await writeFile(path, bytes);
  const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', DESCRIBE, path]);
  return JSON.parse(stdout) as OnnxDescription;
}
