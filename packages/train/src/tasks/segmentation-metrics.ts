// Per-voxel scores of predicted label volumes against the truth. Dice per class is MONAI's DiceMetric
// (include_background, ignore_empty): per sample 2|P∩G| / (|P| + |G|), averaged over the samples whose truth holds
// the class. IoU per class and voxel accuracy come from the voxel confusion matrix of the whole split.

export interface SegmentationScores {
  /** Dice per class, index = label (NaN when no sample's truth holds the class). */
  dice: number[];
  /** Mean Dice over the foreground classes (1..K-1) that have a value. */
  meanDice: number;
  /** Intersection over union per class, over all voxels of the split. */
  iou: number[];
  /** Share of voxels whose predicted class is the true one. */
  voxelAccuracy: number;
  /** confusion[true][predicted] = voxels. */
  confusion: number[][];
}

export class SegmentationScorer {
  private readonly diceSum: number[];
  private readonly diceCount: number[];
  private readonly confusion: number[][];

  constructor(private readonly classes: number) {
    this.diceSum = new Array<number>(classes).fill(0);
    this.diceCount = new Array<number>(classes).fill(0);
    this.confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  }

  /** Adds `count` samples of `voxels` labels each: the truth and the predicted classes. */
  add(truth: ArrayLike<number>, predicted: ArrayLike<number>, count: number): void {
    const k = this.classes;
    const voxels = truth.length / count;
    const inter = new Int32Array(k);
    const inTruth = new Int32Array(k);
    const inPred = new Int32Array(k);
    for (let n = 0; n < count; n++) {
      inter.fill(0);
      inTruth.fill(0);
      inPred.fill(0);
      for (let v = n * voxels; v < (n + 1) * voxels; v++) {
        const t = truth[v] as number;
        const p = predicted[v] as number;
        inTruth[t] = (inTruth[t] as number) + 1;
        inPred[p] = (inPred[p] as number) + 1;
        if (t === p) inter[t] = (inter[t] as number) + 1;
        const row = this.confusion[t] as number[];
        row[p] = (row[p] as number) + 1;
      }
      for (let c = 0; c < k; c++) {
        if (inTruth[c] === 0) continue;
        this.diceSum[c] =
          (this.diceSum[c] as number) +
          (2 * (inter[c] as number)) / ((inTruth[c] as number) + (inPred[c] as number));
        this.diceCount[c] = (this.diceCount[c] as number) + 1;
      }
    }
  }

  result(): SegmentationScores {
    const dice = this.diceSum.map((s, c) =>
      this.diceCount[c] ? s / (this.diceCount[c] as number) : Number.NaN,
    );
    const foreground = dice.slice(1).filter(Number.isFinite);
    const total = this.confusion.flat().reduce((a, b) => a + b, 0);
    const correct = this.confusion.reduce((s, row, c) => s + (row[c] as number), 0);
    const iou = this.confusion.map((row, c) => {
      const tp = row[c] as number;
      const union =
        row.reduce((a, b) => a + b, 0) + this.confusion.reduce((s, r) => s + (r[c] as number), 0) - tp;
      return union ? tp / union : Number.NaN;
    });
    return {
      dice,
      meanDice: foreground.length ? foreground.reduce((a, b) => a + b, 0) / foreground.length : Number.NaN,
      iou,
      voxelAccuracy: total ? correct / total : Number.NaN,
      confusion: this.confusion.map((row) => [...row]),
    };
  }
}
