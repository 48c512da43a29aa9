import { fileURLToPath } from 'node:url';

/** Where `conv3d-dataset build` writes by default: packages/data/artifacts/full_dataset_vectors.h5. */
export function defaultDatasetPath(): string {
  // src/ and dist/ both sit one level below the package root.
  return fileURLToPath(new URL('../artifacts/full_dataset_vectors.h5', import.meta.url));
}
