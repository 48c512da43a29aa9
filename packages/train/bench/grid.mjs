// A short training run of the seed architecture on 3D MNIST at another grid (default the 32³ file from
// `conv3d-dataset build --grid 32`): the input shape and classes come from the file. Prints the CPU, the load
// average, the per-step time (each epoch's time over its steps, validation included) and the test accuracy.
//   npm run build && node bench/grid.mjs --data FILE [--epochs 2] [--limit 2000] [--out DIR]
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { train } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    epochs: { type: 'string', default: '2' },
    limit: { type: 'string', default: '2000' },
    out: { type: 'string', default: join(tmpdir(), 'conv3d-grid-bench') },
  },
});
if (values.data === undefined)
  throw new Error('usage: node bench/grid.mjs --data FILE [--epochs N] [--limit N]');
console.log(
  `CPU: ${cpus()[0]?.model} × ${cpus().length}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const result = await train({
  config: new URL('../configs/seed-any-grid.json', import.meta.url).pathname,
  data: values.data,
  epochs: Number(values.epochs),
  limit: Number(values.limit),
  outDir: values.out,
  progress: false,
});
const { run, test } = result;
const steps = Math.ceil(run.dataset.trainRows / run.config.batchSize);
const perStep = run.timings.epochSeconds.map((s) => s / steps);
console.log(
  `grid ${run.contract.grid.join('×')} '${run.contract.preprocessing}', input [${run.contract.inputShape.join(', ')}], ` +
    `${run.dataset.trainRows} train rows, batch ${run.config.batchSize}: ${steps} steps/epoch; ` +
    `s/step (epoch time incl. validation / steps) ${perStep.map((s) => s.toFixed(3)).join(', ')}; ` +
    `test accuracy ${(test.accuracy * 100).toFixed(2)} % on ${test.count}; backend ${run.backend.name}; ` +
    `load average after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
result.dispose();
