// What the training data holds. @conv3d/data reads 3D MNIST files (other HDF5 layouts are a later issue), so every
// model trained here has the seed's contract; the rest of training reads its shapes and labels from this object.
import { type ModelContract, SEED_CONTRACT } from '@conv3d/core';

export const DATASET_CONTRACT: ModelContract = SEED_CONTRACT;
