#!/usr/bin/env node
// Writes demo/fixtures/samples.json: one real 3D MNIST test sample per digit (the first original row of each),
// raw 4096-value vectors as stored in the dataset, bundled with the demo page.
// Usage: node scripts/make-demo-samples.mjs [dataset.h5]   (default ../data/artifacts/full_dataset_vectors.h5;
// needs @conv3d/data built)
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@conv3d/core/node';
import { openDataset } from '@conv3d/data';

const datasetPath =
  process.argv[2] ?? fileURLToPath(new URL('../../data/artifacts/full_dataset_vectors.h5', import.meta.url));
const out = fileURLToPath(new URL('../demo/fixtures/samples.json', import.meta.url));

let dataset;
try {
  dataset = await openDataset(datasetPath);
} catch (err) {
  process.stderr.write(`make-demo-samples: ${err.message} (build it with \`npx turbo run dataset\`)\n`);
  process.exit(1);
}
try {
  const { x, y, count } = dataset.read('test');
  const samples = [];
  // Even rows are the original digits (odd rows their random rotations): see @conv3d/data's layout.
  for (let digit = 0; digit < 10; digit++) {
    let row = 0;
    while (row < count && (y[row] !== digit || row % 2 !== 0)) row++;
    if (row >= count) throw new Error(`${datasetPath}: X_test has no original sample of digit ${digit}`);
    samples.push({ index: row, label: digit, values: Array.from(x.subarray(row * 4096, (row + 1) * 4096)) });
  }
  const payload = { source: 'full_dataset_vectors.h5', split: 'test', samples };
  writeFileAtomic(out, `${JSON.stringify(payload)}\n`);
  process.stdout.write(
    `wrote ${relative(process.cwd(), out)}: rows ${samples.map((s) => s.index).join(', ')}\n`,
  );
} finally {
  dataset.close();
}
