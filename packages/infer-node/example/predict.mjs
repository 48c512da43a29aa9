// Classifies one synthetic 3D MNIST vector: a bar of voxels, values scaled so the largest is 1.
// Usage: node example/predict.mjs [model.onnx]   (defaults to the package's test model)
import { fileURLToPath } from 'node:url';
import { load } from '@conv3d/infer-node';

const model = process.argv[2] ?? fileURLToPath(new URL('../fixtures/tiny.onnx', import.meta.url));
const classifier = await load(model, { device: 'auto' });

const voxels = new Float64Array(4096);
for (let z = 4; z < 12; z++) voxels[8 + 16 * 8 + 256 * z] = z / 11; // index x + 16·y + 256·z

const [prediction] = await classifier.predict(voxels);
console.log(`provider ${classifier.provider}`);
console.log(`digit ${prediction.label} with probability ${prediction.probability.toFixed(4)}`);
console.log(`probabilities ${Array.from(prediction.probabilities, (p) => p.toFixed(3)).join(' ')}`);
await classifier.dispose();
