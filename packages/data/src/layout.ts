// The Kaggle 3D MNIST file layout (full_dataset_vectors.h5) and the row order of the files we build.
import { SEED_CONTRACT } from '@conv3d/core';

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

/** Default HDF5 dataset names of one split: X voxels, y labels. */
export function datasetNames(split: Split): { x: string; y: string } {
  return { x: `X_${split}`, y: `y_${split}` };
}

/** Voxels per axis of a 3D MNIST grid (the seed contract's, D = H = W). */
export const GRID = SEED_CONTRACT.grid[0];
/** Row length of the seed's X: one flattened 16³ grid, index x + 16·y + 256·z. */
export const ROW_LENGTH = SEED_CONTRACT.rawLength;
/** Labels are the digits 0–9. */
export const LABELS = SEED_CONTRACT.labels;
export const NUM_CLASSES = LABELS.length;

/** MNIST digits each split of the default file (Kaggle's) starts from: train images 0–4999, t10k images 0–999. */
export const ORIGINALS: Readonly<Record<Split, number>> = { train: 5000, test: 1000 };
/** Every MNIST digit of a split (`build --digits all`): the 60 000 train and 10 000 t10k images. */
export const MNIST_DIGITS: Readonly<Record<Split, number>> = { train: 60000, test: 10000 };
/** Rotated copies per original in the default file. */
export const DEFAULT_COPIES = 1;

/**
 * Rows are interleaved in groups of 1 + `copies`: row (1 + copies)·i is original digit i, the next `copies` rows
 * its seeded random rotations. Keras' validation_split (the last 20 %) then holds whole digit groups when the
 * digit count is a multiple of 5 (5000, 60 000), and no digit's copy leaks into training.
 */
export function rowsOf(split: Split, digits = ORIGINALS[split], copies = DEFAULT_COPIES): number {
  return digits * (1 + copies);
}
