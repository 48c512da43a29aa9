/** Per-epoch metrics, keyed as Keras's History.history is. */
export interface History {
  loss: number[];
  accuracy: number[];
  val_loss: number[];
  val_accuracy: number[];
  /** A segmenter's mean foreground Dice on the validation rows. */
  val_dice?: number[];
  /** A segmenter's Dice per class (index = label) on the validation rows. */
  val_dice_per_class?: number[][];
  /** The learning rate each epoch trained with (its last step's), when a callback manages it (as Keras logs it). */
  learning_rate?: number[];
}

export interface EpochMetrics {
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
  val_dice?: number;
  val_dice_per_class?: number[];
  learning_rate?: number;
}

export function emptyHistory(): History {
  return { loss: [], accuracy: [], val_loss: [], val_accuracy: [] };
}

export function appendEpoch(history: History, metrics: EpochMetrics): void {
  history.loss.push(metrics.loss);
  history.accuracy.push(metrics.accuracy);
  history.val_loss.push(metrics.val_loss);
  history.val_accuracy.push(metrics.val_accuracy);
  if (metrics.val_dice !== undefined) {
    history.val_dice ??= [];
    history.val_dice.push(metrics.val_dice);
    history.val_dice_per_class ??= [];
    history.val_dice_per_class.push(metrics.val_dice_per_class ?? []);
  }
  if (metrics.learning_rate !== undefined) {
    history.learning_rate ??= [];
    history.learning_rate.push(metrics.learning_rate);
  }
}

/**
 * Keras's per-epoch line: `Epoch 3/30 - 41s - loss: 0.1234 - accuracy: 0.5678 - val_loss: … - val_accuracy: …`,
 * then a segmenter's `val_dice: … (class d, …)` with its per-class Dice named by `labels`.
 */
export function formatEpochLine(
  epoch: number,
  epochs: number,
  seconds: number,
  m: EpochMetrics,
  labels: readonly string[] = [],
): string {
  const parts = [`Epoch ${epoch}/${epochs}`, `${Math.round(seconds)}s`];
  parts.push(`loss: ${m.loss.toFixed(4)}`, `accuracy: ${m.accuracy.toFixed(4)}`);
  if (Number.isFinite(m.val_loss)) {
    parts.push(`val_loss: ${m.val_loss.toFixed(4)}`, `val_accuracy: ${m.val_accuracy.toFixed(4)}`);
  }
  if (m.val_dice !== undefined && Number.isFinite(m.val_loss)) {
    const perClass = (m.val_dice_per_class ?? []).map((d, k) => `${labels[k] ?? k} ${d.toFixed(3)}`);
    parts.push(`val_dice: ${m.val_dice.toFixed(4)} (${perClass.join(', ')})`);
  }
  if (m.learning_rate !== undefined) parts.push(`learning_rate: ${m.learning_rate.toPrecision(4)}`);
  return parts.join(' - ');
}
