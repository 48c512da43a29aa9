// Dice per class over label volumes, as MONAI's DiceMetric reduces it ("mean_batch"): per volume and class
// 2·|P ∩ T| / (|P| + |T|), undefined (skipped) where the class is in neither, then the mean over volumes.

export class DiceTally {
  readonly #sums: Float64Array;
  readonly #volumes: Uint32Array;

  constructor(readonly classes: number) {
    this.#sums = new Float64Array(classes);
    this.#volumes = new Uint32Array(classes);
  }

  /** Scores one volume; returns its per-class Dice (NaN where the class is in neither). */
  add(predicted: ArrayLike<number>, truth: ArrayLike<number>): number[] {
    const k = this.classes;
    const both = new Float64Array(k);
    const inPredicted = new Float64Array(k);
    const inTruth = new Float64Array(k);
    for (let v = 0; v < truth.length; v++) {
      const p = predicted[v] as number;
      const t = truth[v] as number;
      inPredicted[p] = (inPredicted[p] as number) + 1;
      inTruth[t] = (inTruth[t] as number) + 1;
      if (p === t) both[t] = (both[t] as number) + 1;
    }
    const dice: number[] = [];
    for (let c = 0; c < k; c++) {
      const total = (inPredicted[c] as number) + (inTruth[c] as number);
      const d = total === 0 ? Number.NaN : (2 * (both[c] as number)) / total;
      dice.push(d);
      if (!Number.isNaN(d)) {
        this.#sums[c] = (this.#sums[c] as number) + d;
        this.#volumes[c] = (this.#volumes[c] as number) + 1;
      }
    }
    return dice;
  }

  /** Mean Dice per class over the volumes where it was defined (NaN for a class never seen). */
  perClass(): number[] {
    return Array.from(this.#sums, (s, c) => s / (this.#volumes[c] as number));
  }

  /** Volumes in which class `c` was defined. */
  volumes(c: number): number {
    return this.#volumes[c] as number;
  }
}

/** The mean of the defined values (NaN when none is). */
export function meanDefined(values: readonly number[]): number {
  const defined = values.filter((v) => !Number.isNaN(v));
  return defined.length === 0 ? Number.NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
}
