// Classifies one synthetic vector: a bar of voxels along the depth axis, values scaled so the largest is 1. The
// row's length and layout come from the model's contract (for 3D MNIST: 16³ voxels, index x + 16·y + 256·z).
// Usage: node example/predict.mjs [model.onnx]   (defaults to the package's test model)
import { fileURLToPath } from 'node:url';
import { load } from '@conv3d/infer-node';

const model = process.argv[2] ?? fileURLToPath(new URL('../fixtures/tiny.onnx', import.meta.url));
const classifier = await load(model, { device: 'auto' });

const { grid, rawChannels, rawLength } = classifier.contract;
const [depth, height, width] = grid;
const voxels = new Float64Array(rawLength);
const [y, x] = [Math.floor(height / 2), Math.floor(width / 2)];
const [first, last] = [Math.floor(depth / 4), Math.floor((3 * depth) / 4)];
for (let z = first; z < last; z++) voxels[((z * height + y) * width + x) * rawChannels] = (z + 1) / last;

const [prediction] = await classifier.predict(voxels);
console.log(`provider ${classifier.provider}`);
console.log(`digit ${prediction.label} with probability ${prediction.probability.toFixed(4)}`);
console.log(`probabilities ${Array.from(prediction.probabilities, (p) => p.toFixed(3)).join(' ')}`);
await classifier.dispose();
