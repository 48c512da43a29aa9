// The cost of the weight average's per-step update (callbacks.weightAverage, EMA) against the training step it
// follows: configs/best.json at batch 64 on the backend training would pick, step and update timed alternately,
// medians. Needs `npm run build`.
//
//   node bench/ema-step.mjs [--steps 20] [--backend auto|fast-cpu|cpu]
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { WeightAverage } from '../dist/callbacks/weight-average.js';
import { BEST_CONFIG_PATH, buildModel, loadTrainConfig, selectBackend } from '../dist/index.js';
import { randomBatch } from './random-batch.mjs';

const { values: opts } = parseArgs({
  options: { backend: { type: 'string', default: 'auto' }, steps: { type: 'string', default: '20' } },
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const backend = await selectBackend(opts.backend);
const config = loadTrainConfig(BEST_CONFIG_PATH);
const model = buildModel(config);
const n = config.batchSize;
const { xs, ys } = randomBatch(n);
const average = new WeightAverage(
  { type: 'ema', decay: 0.999, startEpoch: 1, monitor: 'val_accuracy', mode: 'auto' },
  model,
);
const loadBefore = load();
const steps = [];
const updates = [];
for (let i = 0; i < Number(opts.steps) + 2; i++) {
  const t0 = performance.now();
  await model.trainOnBatch(xs, ys);
  const t1 = performance.now();
  average.afterStep(0);
  const t2 = performance.now();
  // The first two: warm-up (the first update copies the weights).
  if (i >= 2) {
    steps.push(t1 - t0);
    updates.push(t2 - t1);
  }
}
console.log(
  `CPU: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores); backend ${backend.name}; load average before ${loadBefore}, after ${load()}`,
);
console.log(
  `best.json, batch ${n}, ${model.weights.length} weights (${model.countParams()} values): step median ${median(steps).toFixed(1)} ms, EMA update median ${median(updates).toFixed(2)} ms (${((100 * median(updates)) / median(steps)).toFixed(2)} % of a step), ${steps.length} alternations`,
);
average.dispose();
