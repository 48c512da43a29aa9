// A user's Node app: classifies rows.json's real test rows with the installed @conv3d/infer-node.
// Prints one JSON line to stdout; the packaging test requires its stderr to stay empty.
import { readFileSync } from 'node:fs';
import { load } from '@conv3d/infer-node';

const { rows } = JSON.parse(readFileSync('rows.json', 'utf8'));
const classifier = await load('model.onnx', { device: 'auto' });
try {
  const predictions = await classifier.predict(rows.map((row) => Float64Array.from(row)));
  const result = {
    provider: classifier.provider,
    labels: predictions.map((p) => p.label),
    probabilities: predictions.map((p) => Array.from(p.probabilities)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await classifier.dispose();
}
