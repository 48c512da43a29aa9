// Keras semantics the seed's training relies on: to_categorical and validation_split.
import { NUM_CLASSES } from './layout.js';

/** One-hot float32 labels `[count, numClasses]` (Keras' to_categorical; default: the ten digits). */
export function oneHot(labels: ArrayLike<number | bigint>, numClasses = NUM_CLASSES): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) out[i * numClasses + Number(labels[i])] = 1;
  return out;
}

/** Keras `validation_split`: the last `fraction` of the rows, unshuffled. Returns the first validation row. */
export function validationSplitIndex(rows: number, fraction: number): number {
  if (!(fraction >= 0 && fraction < 1))
    throw new RangeError(`validation split must be in [0, 1), got ${fraction}`);
  // Keras: split_at = int(num_samples * (1 - validation_split))
  return Math.trunc(rows * (1 - fraction));
}
