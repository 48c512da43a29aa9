import { ContractError, type ModelContract } from './contract.js';

export interface Prediction {
  /** The most probable class label. */
  label: string;
  /** Its output index. */
  index: number;
  /** Its probability. */
  probability: number;
  /** Every class probability, in output order. */
  probabilities: Float32Array;
}

/** Splits the model's `[count, classes]` probabilities into predictions (each row copied). */
export function decodePredictions(
  probabilities: Float32Array,
  count: number,
  contract: ModelContract,
): Prediction[] {
  const classes = contract.labels.length;
  if (probabilities.length !== count * classes) {
    throw new ContractError(
      `model returned ${probabilities.length} values for ${count} samples; expected ${count} × ${classes}`,
    );
  }
  const predictions: Prediction[] = new Array(count);
  for (let s = 0; s < count; s++) {
    const row = probabilities.slice(s * classes, (s + 1) * classes);
    let index = 0;
    for (let c = 1; c < classes; c++) if ((row[c] as number) > (row[index] as number)) index = c;
    predictions[s] = {
      label: contract.labels[index] as string,
      index,
      probability: row[index] as number,
      probabilities: row,
    };
  }
  return predictions;
}
