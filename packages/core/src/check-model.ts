// The contract against its graph: checked once at load, so a model whose metadata and graph disagree never runs.
import {
  ContractError,
  contractFromMetadata,
  INPUT_LAYOUT,
  METADATA_KEYS,
  type ModelContract,
} from './contract.js';

/** A model input or output as onnxruntime describes it (`session.inputMetadata[i]`). */
export interface ValueInfo {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

export interface CheckedModel {
  contract: ModelContract;
  inputName: string;
  outputName: string;
}

/**
 * Reads the contract from `metadata` and checks the graph against it: one float32 input
 * `[batch, ...contract.inputShape]`, one float32 output `[batch, labels]`. `source` names the model in errors.
 */
export function checkModel(
  metadata: Readonly<Record<string, string>>,
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  source: string,
): CheckedModel {
  const contract = contractFromMetadata(metadata, source);
  const [input] = inputs;
  if (inputs.length !== 1 || input === undefined) {
    throw new ContractError(`${source}: model has ${inputs.length} inputs; expected exactly one`);
  }
  const sample = contract.inputShape;
  const layout = contract.inputKind === 'raw' ? 'raw rows' : INPUT_LAYOUT;
  const expected = `float32 [batch, ${sample.join(', ')}] (${layout}, '${METADATA_KEYS.inputShape}')`;
  const inShape = input.shape ?? [];
  const inOk =
    input.isTensor !== false &&
    input.type === 'float32' &&
    inShape.length === sample.length + 1 &&
    sample.every((d, i) => inShape[i + 1] === d);
  if (!inOk) {
    throw new ContractError(
      `${source}: input '${input.name}' is ${input.type ?? 'untyped'} [${inShape.join(', ')}]; expected ${expected}`,
    );
  }
  const [output] = outputs;
  if (outputs.length !== 1 || output === undefined) {
    throw new ContractError(`${source}: model has ${outputs.length} outputs; expected exactly one`);
  }
  const classes = contract.labels.length;
  const outShape = output.shape ?? [];
  if (output.type !== 'float32' || outShape.length !== 2 || outShape[1] !== classes) {
    throw new ContractError(
      `${source}: output '${output.name}' is ${output.type ?? 'untyped'} [${outShape.join(', ')}]; expected float32 [batch, ${classes}] for ${classes} labels ('${METADATA_KEYS.labels}')`,
    );
  }
  return { contract, inputName: input.name, outputName: output.name };
}
