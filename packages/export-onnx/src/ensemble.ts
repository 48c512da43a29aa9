// Ensembles as one ONNX file: every member converted on its own, its names prefixed, all fed by one graph input
// (and, with embedded preprocessing, one copy of the preprocessing), their probabilities averaged by one Mean
// node. Any runtime then gives the ensemble's number with no extra code. The members must share the contract.
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  ContractError,
  contractDifference,
  contractFromMetadata,
  contractToMetadata,
  defineContract,
  type ModelContract,
  withTestAccuracy,
} from '@conv3d/core';
import { oneLine, writeAtomic } from '@conv3d/core/node';
import type * as tf from '@tensorflow/tfjs';
import { embedPreprocessing } from './embed-preprocessing.js';
import { ExportError } from './errors.js';
import { loadLayersModelFromDisk, readTestAccuracy, resolveModelInput } from './export-file.js';
import { convertModel, type ExportOptions, type ExportSummary } from './export-model.js';
import { GraphBuilder } from './graph.js';
import { decodeModel, encodeModel, type ModelProto, type NodeProto } from './proto/index.js';
import { PRODUCER_NAME, PRODUCER_VERSION } from './version.js';

/** The ensemble's graph output: the members' mean probabilities. */
export const ENSEMBLE_OUTPUT = 'probabilities';
/** The plain file's graph input, shared by every member. */
export const ENSEMBLE_INPUT = 'voxels';

export interface EnsembleMemberModel {
  model: tf.LayersModel;
  /** The member's name in `conv3d.members` (its run folder's). */
  name: string;
  testAccuracy?: number;
  /** Where it came from, for errors. */
  source: string;
}

export type EnsembleOptions = Pick<
  ExportOptions,
  'testAccuracy' | 'embedPreprocessing' | 'opencvCompatible' | 'preprocessing'
>;

/** The members' shared contract (test accuracy aside); a member that differs is named with the first key. */
export function sharedContract(members: readonly EnsembleMemberModel[]): ModelContract {
  let first: { contract: ModelContract; source: string } | undefined;
  for (const { model, source } of members) {
    const carried = (model.getUserDefinedMetadata() as { conv3d?: Record<string, string> } | undefined)
      ?.conv3d;
    if (carried === undefined) {
      throw new ExportError(
        `${source}: the model carries no contract ('conv3d' user-defined metadata); ensemble members need one`,
      );
    }
    let contract: ModelContract;
    try {
      contract = withTestAccuracy(contractFromMetadata(carried, source), undefined);
    } catch (error) {
      if (error instanceof ContractError) throw new ExportError(error.message);
      throw error;
    }
    first ??= { contract, source };
    const differs = contractDifference(contract, first.contract);
    if (differs) {
      throw new ExportError(
        `${source}: its contract differs from ${first.source}'s ('${differs.key}' ${differs.a ?? 'absent'} vs ${differs.b ?? 'absent'}); ensemble members must share grid, channels, labels and preprocessing`,
      );
    }
  }
  if (first === undefined || members.length < 2) {
    throw new ExportError(`an ensemble needs at least 2 members, got ${members.length}`);
  }
  return first.contract;
}

/** The member's graph with every name prefixed, its input renamed to `input`; returns the output's name. */
function addMember(
  nodes: NodeProto[],
  initializers: ModelProto['graph']['initializer'],
  member: ModelProto,
  prefix: string,
  input: string,
): string {
  const { graph } = member;
  const ownInput = graph.input[0]?.name;
  const rename = (name: string): string => (name === '' ? name : name === ownInput ? input : prefix + name);
  for (const node of graph.node) {
    nodes.push({
      ...node,
      name: prefix + node.name,
      input: node.input.map(rename),
      output: node.output.map(rename),
    });
  }
  for (const init of graph.initializer) initializers.push({ ...init, name: rename(init.name) });
  return rename(graph.output[0]?.name as string);
}

/**
 * Converts the members (each a one-input, one-output classifier with the same contract) into one ONNX file whose
 * output is the mean of their probabilities; the contract records the members (`conv3d.members`).
 */
export function convertEnsemble(
  members: readonly EnsembleMemberModel[],
  options: EnsembleOptions = {},
): { bytes: Uint8Array; summary: ExportSummary } {
  const base = sharedContract(members);
  const contract = defineContract(
    {
      ...base,
      ...(options.preprocessing !== undefined && { preprocessing: options.preprocessing }),
      ...(options.testAccuracy !== undefined && { testAccuracy: options.testAccuracy }),
      members: members.map((m) => ({
        name: m.name,
        ...(m.testAccuracy !== undefined && { testAccuracy: m.testAccuracy }),
      })),
    },
    'ensemble contract',
    base.version,
  );
  const converted = members.map((m) => decodeModel(convertModel(m.model, { contract }).bytes));
  const [first] = converted as [ModelProto];
  // The embedded preprocessing, once, in front of every member.
  const front = new GraphBuilder();
  const embed = options.embedPreprocessing === true;
  const graphInput = embed
    ? embedPreprocessing(front, ENSEMBLE_INPUT, contract, options.opencvCompatible === true)
    : ENSEMBLE_INPUT;
  const nodes: NodeProto[] = [...front.nodes];
  const initializers = [...front.initializers];
  const outputs = converted.map((m, i) => addMember(nodes, initializers, m, `member${i}/`, ENSEMBLE_INPUT));
  nodes.push({
    name: 'ensemble/Mean',
    op_type: 'Mean',
    input: outputs,
    output: [ENSEMBLE_OUTPUT],
    attribute: [],
  });
  const written = embed
    ? defineContract({ ...contract, inputKind: 'raw' }, 'contract', contract.version)
    : contract;
  const metadata = contractToMetadata(written);
  const input = first.graph.input[0] as ModelProto['graph']['input'][number];
  const dims = input.type.tensor_type.shape.dim;
  const inputDims = embed ? [dims[0] ?? {}, { dim_value: contract.rawLength }] : dims;
  const proto: ModelProto = {
    ir_version: first.ir_version,
    opset_import: first.opset_import,
    producer_name: PRODUCER_NAME,
    producer_version: PRODUCER_VERSION,
    doc_string: `ensemble of ${members.length} tfjs LayersModels (${members.map((m) => m.name).join(', ')}): the mean of their probabilities${embed ? '; input: raw rows' : ''}`,
    graph: {
      name: 'ensemble',
      node: nodes,
      initializer: initializers,
      input: [
        {
          name: graphInput,
          type: {
            tensor_type: {
              elem_type: input.type.tensor_type.elem_type,
              shape: { dim: inputDims },
            },
          },
        },
      ],
      output: [
        { ...(first.graph.output[0] as ModelProto['graph']['output'][number]), name: ENSEMBLE_OUTPUT },
      ],
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
  const bytes = encodeModel(proto);
  const opTypes: Record<string, number> = {};
  for (const node of nodes) opTypes[node.op_type] = (opTypes[node.op_type] ?? 0) + 1;
  return {
    bytes,
    summary: {
      nodes: nodes.length,
      initializers: initializers.length,
      parameters: members.reduce((n, m) => n + m.model.countParams(), 0),
      bytes: bytes.length,
      opTypes,
      inputs: [graphInput],
      outputs: [ENSEMBLE_OUTPUT],
      metadata,
      inputShapes: [inputDims.map((d) => d.dim_param ?? (d.dim_value as number))],
      freeSize: inputDims.slice(1).some((d) => d.dim_param !== undefined),
    },
  };
}

export interface EnsembleFileResult extends ExportSummary {
  out: string;
  members: { name: string; source: string; testAccuracy?: number }[];
  testAccuracy?: number;
}

/**
 * Run folders (or model.json files) → one ensemble file, written atomically. A member's name is its run folder's
 * name and its test accuracy comes from its metrics.json; `options.testAccuracy` is the ensemble's own.
 */
export async function exportEnsembleFile(
  inputs: readonly string[],
  out: string,
  options: EnsembleOptions = {},
): Promise<EnsembleFileResult> {
  const members: EnsembleMemberModel[] = [];
  try {
    for (const input of inputs) {
      const { modelJson, runDir } = await resolveModelInput(input);
      const testAccuracy = await readTestAccuracy(runDir);
      members.push({
        model: await loadLayersModelFromDisk(modelJson),
        name: basename(resolve(runDir)),
        source: input,
        ...(testAccuracy !== undefined && { testAccuracy }),
      });
    }
    const { bytes, summary } = convertEnsemble(members, options);
    try {
      await writeAtomic(out, (tmp) => writeFileSync(tmp, bytes));
    } catch (error) {
      throw new ExportError(`${out}: cannot write (${oneLine((error as Error).message)})`);
    }
    return {
      ...summary,
      out,
      members: members.map(({ name, source, testAccuracy }) => ({
        name,
        source,
        ...(testAccuracy !== undefined && { testAccuracy }),
      })),
      ...(options.testAccuracy !== undefined && { testAccuracy: options.testAccuracy }),
    };
  } finally {
    for (const { model } of members) model.dispose();
  }
}
