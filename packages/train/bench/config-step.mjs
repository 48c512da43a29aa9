// One training step of any training configs at their own batch size on the backend training would pick: the
// width study behind configs/best-resnet.json (bench/resnet-variants.mjs writes its variants). Needs `npm run build`.
//
//   node bench/config-step.mjs [--warmup 1] [--steps 4] [--rows 16000] CONFIG.json [CONFIG.json ...]
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadTrainConfig, selectBackend } from '../dist/index.js';
import { stepSeconds } from './random-batch.mjs';

const { values: opts, positionals: paths } = parseArgs({
  options: {
    warmup: { type: 'string', default: '1' },
    steps: { type: 'string', default: '4' },
    rows: { type: 'string', default: '16000' },
  },
  allowPositionals: true,
});
if (paths.length === 0) {
  console.error('usage: node bench/config-step.mjs [--warmup N] [--steps N] [--rows N] CONFIG.json ...');
  process.exit(2);
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const backend = await selectBackend('auto');
console.log(`CPU: ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores); backend ${backend.name}`);
console.log(`load average before: ${load()}`);
for (const path of paths) {
  const config = loadTrainConfig(path);
  const { params, median: step, times } = await stepSeconds(config, Number(opts.warmup), Number(opts.steps));
  const steps = Math.ceil(Number(opts.rows) / config.batchSize);
  console.log(
    `${config.name}: ${params} parameters, batch ${config.batchSize}: step median ${step.toFixed(3)} s of [${times.map((t) => t.toFixed(3))}]; ${steps} steps = ${((step * steps) / 60).toFixed(1)} min of steps per epoch`,
  );
}
console.log(`load average after: ${load()}`);
