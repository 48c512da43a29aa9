// The Kaggle 3D MNIST file layout (full_dataset_vectors.h5) and the row order of the files we build.
import { SEED_CONTRACT } from '@conv3d/core';

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

/** HDF5 dataset names of one split: X (N, 4096) voxels, y (N,) labels. */
export function datasetNames(split: Split): { x: string; y: string } {
  return { x: `X_${split}`, y: `y_${split}` };
}

/** Voxels per axis of a 3D MNIST grid (the seed contract's, D = H = W). */
export const GRID = SEED_CONTRACT.grid[0];
/** Row length of X: one flattened 16³ grid, index x + 16·y + 256·z. */
export const ROW_LENGTH = SEED_CONTRACT.rawLength;
/** Labels are the digits 0–9. */
export const NUM_CLASSES = SEED_CONTRACT.labels.length;

/** MNIST digits each split of the built file starts from: train images 0–4999, t10k images 0–999. */
export const ORIGINALS: Readonly<Record<Split, number>> = { train: 5000, test: 1000 };

/**
 * Rows are interleaved: row 2·i is original digit i, row 2·i + 1 its seeded random rotation. Keras'
 * validation_split (the last 20 %) then holds whole digit pairs, and no digit's twin leaks into training.
 */
export function rowsOf(split: Split): number {
  return ORIGINALS[split] * 2;
}
