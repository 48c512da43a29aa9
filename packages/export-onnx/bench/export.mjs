// Export speed and size of the seed model: median of several runs of convertModel, against tfjs' own
// in-memory save (model.save to a handler: topology JSON + weight buffer) measured in the same run.
// Run after a build: node bench/export.mjs [runs]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { saveModelToDir } from '@conv3d/train/model-io';
import * as tf from '@tensorflow/tfjs';
import { convertModel, exportModelFile } from '../dist/index.js';
import { seedModel } from './seed-model.mjs';

const runs = Number(process.argv[2] ?? 15);
await tf.setBackend('cpu');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function time(fn) {
  for (let i = 0; i < 3; i++) await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

const model = seedModel();
const parameters = model.countParams();
let bytes = 0;
const exportTimes = await time(() => {
  bytes = convertModel(model, { testAccuracy: 0.7 }).bytes.length;
});
const saveTimes = await time(() =>
  model.save(
    tf.io.withSaveHandler(async () => ({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
    })),
  ),
);
// The CLI path: model.json + weights.bin on disk → load → convert → atomic write.
const dir = await mkdtemp(join(tmpdir(), 'export-bench-'));
await saveModelToDir(model, dir);
const fileTimes = await time(() => exportModelFile(dir, join(dir, 'model.onnx')));
await rm(dir, { recursive: true, force: true });

const budget = 4 * parameters + 16 * 1024;
const exportMs = median(exportTimes);
const saveMs = median(saveTimes);
console.log(`seed model: ${parameters} parameters, ${runs} runs after 3 warm-ups`);
console.log(`export (convertModel → ONNX bytes): median ${exportMs.toFixed(1)} ms (budget 200 ms)`);
console.log(
  `tfjs model.save to memory (reference): median ${saveMs.toFixed(1)} ms; export/save ratio ${(exportMs / saveMs).toFixed(2)}`,
);
console.log(
  `exportModelFile (read model.json + weights.bin, convert, atomic write): median ${median(fileTimes).toFixed(1)} ms`,
);
console.log(
  `file size ${bytes} bytes; budget 4 × parameters + 16 KB = ${budget} bytes; overhead ${bytes - 4 * parameters} bytes`,
);
