// One training step of configs/best.json (width-24 'same' Conv+BN+ReLU ×5, GAP, Dropout) at its batch size, on
// the backend training would pick (or --backend), and the seed model's step in the same run as the reference.
// Also times making one batch of fresh rotated copies (the augmentation worker's job). Needs `npm run build`.
//
//   node bench/best-step.mjs [--backend auto|fast-cpu|cpu] [--warmup 1] [--steps 3]
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '@conv3d/core';
import { MnistCopies } from '@conv3d/data';
import { loadTrainConfig, selectBackend } from '../dist/index.js';
import { median } from './interleaved.mjs';
import { stepSeconds } from './random-batch.mjs';

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    warmup: { type: 'string', default: '1' },
    steps: { type: 'string', default: '3' },
  },
});
const config = (name) => loadTrainConfig(fileURLToPath(new URL(`../configs/${name}.json`, import.meta.url)));
const stepsOf = (cfg) => stepSeconds(cfg, Number(opts.warmup), Number(opts.steps));

const backend = await selectBackend(opts.backend);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`CPU: ${cpu} (${cpus().length} cores); backend ${backend.name} (tfjs '${backend.tfBackend}')`);
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

// The seed file's training originals (the even rows of its first 8 000) and what one best.json epoch trains on.
const ORIGINALS = 4000;
const rc = config('best').augmentation?.rotatedCopies;
const freshPerEpoch = ORIGINALS * (rc?.copiesPerOriginal ?? 0);
const epochRows = rc ? (rc.keepOriginals ? ORIGINALS : 0) + freshPerEpoch : 2 * ORIGINALS;

const copies = new MnistCopies(ORIGINALS);
const row = new Float64Array(4096);
const makeCopies = (n, salt) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) copies.rotatedCopy((i * 61) % ORIGINALS, new Rng(1, salt, 1, i), row, 0);
  return (performance.now() - t0) / n;
};
makeCopies(64, 0); // warm-up (JIT)
const perCopy = median([makeCopies(256, 1), makeCopies(256, 2), makeCopies(256, 3)]);
console.log(
  `fresh rotated copies: ${perCopy.toFixed(2)} ms each (median of 3 × 256 after a warm-up; ${((perCopy * freshPerEpoch) / 1000).toFixed(1)} s for an epoch's ${freshPerEpoch}, on the worker thread)`,
);

const seed = await stepsOf(config('seed'));
console.log(
  `seed step (batch ${seed.batch}): median ${seed.median.toFixed(3)} s of [${seed.times.map((t) => t.toFixed(3))}]`,
);
const best = await stepsOf(config('best'));
console.log(
  `best step (batch ${best.batch}): median ${best.median.toFixed(3)} s of [${best.times.map((t) => t.toFixed(3))}]`,
);
const epochSteps = Math.ceil(epochRows / best.batch);
console.log(
  `best: ${epochSteps} steps per epoch → ${((best.median * epochSteps) / 60).toFixed(1)} min per epoch, ${((best.median * epochSteps * 30) / 3600).toFixed(1)} h for 30 epochs at this step time`,
);
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
