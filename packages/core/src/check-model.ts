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
  shape?: ReadonlyArray<number | string | null>;
}

export interface CheckedModel {
  contract: ModelContract;
  inputName: string;
  outputName: string;
}

/** A dimension a runtime reports as symbolic (onnxruntime: the dim_param's name, or -1 / null when unnamed). */
function isSymbolic(dim: number | string | null | undefined): boolean {
  return typeof dim === 'string' || dim === -1 || dim === null;
}

/**
 * Reads the contract from `metadata` and checks the graph against it: one float32 input
 * `[batch, ...contract.inputShape]`; one float32 output, `[batch, labels]` for a classifier or
 * `[batch, D, H, W, labels]` for a segmenter (whose D, H, W may be symbolic when its size is free). `source` names
 * the model in errors.
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
  const free = contract.segmentation?.freeSize === true;
  const layout = contract.inputKind === 'raw' ? 'raw rows' : INPUT_LAYOUT;
  const shown = free ? ['D', 'H', 'W', ...sample.slice(3)] : sample;
  const expected = `float32 [batch, ${shown.join(', ')}] (${layout}, '${METADATA_KEYS.inputShape}'${free ? `, '${METADATA_KEYS.freeSize}'` : ''})`;
  const inShape = input.shape ?? [];
  // A free-size segmenter's spatial dims are symbolic (or, for a graph fixed at some other size, refused here).
  const spatialOk = (dim: number | string | null | undefined, i: number): boolean =>
    free && i < 3 ? isSymbolic(dim) : dim === sample[i];
  const inOk =
    input.isTensor !== false &&
    input.type === 'float32' &&
    inShape.length === sample.length + 1 &&
    sample.every((_, i) => spatialOk(inShape[i + 1], i));
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
  if (contract.task === 'segment') {
    const spatial = [0, 1, 2].every((i) =>
      free ? isSymbolic(outShape[i + 1]) : outShape[i + 1] === contract.grid[i],
    );
    if (output.type !== 'float32' || outShape.length !== 5 || !spatial || outShape[4] !== classes) {
      const grid = free ? 'D, H, W' : contract.grid.join(', ');
      throw new ContractError(
        `${source}: output '${output.name}' is ${output.type ?? 'untyped'} [${outShape.join(', ')}]; expected float32 [batch, ${grid}, ${classes}] (per-voxel ${contract.segmentation?.output} for ${classes} labels, '${METADATA_KEYS.labels}')`,
      );
    }
    return { contract, inputName: input.name, outputName: output.name };
  }
  if (output.type !== 'float32' || outShape.length !== 2 || outShape[1] !== classes) {
    throw new ContractError(
      `${source}: output '${output.name}' is ${output.type ?? 'untyped'} [${outShape.join(', ')}]; expected float32 [batch, ${classes}] for ${classes} labels ('${METADATA_KEYS.labels}')`,
    );
  }
  return { contract, inputName: input.name, outputName: output.name };
}
