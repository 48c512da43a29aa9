// Where a two-worker build's CPU goes, per thread (Linux /proc): the main thread M (startup, ordering, HDF5 writes)
// against the workers W (the recipe). CPU seconds barely depend on the machine's load, so they predict the 2-worker
// speed-up of an idle 2-core machine even on a busy one: with M all serial, (M + W) / (M + W / 2); with M all
// overlapped, W / ((W + M) / 2) (the main thread then takes its share of the two cores). The lower of the two is
// printed.
//   node bench/build-threads.mjs [--grid N] [--digits T,E] [--stream]
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDataset } from '../dist/builder.js';

const { values } = parseArgs({
  options: {
    grid: { type: 'string', default: '16' },
    digits: { type: 'string', default: '3000,500' },
    stream: { type: 'boolean', default: false },
  },
});
const ticks = 100; // USER_HZ on Linux
const threadSeconds = (tid) => {
  const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime
};
const [train, test] = values.digits.split(',').map(Number);
const out = join(tmpdir(), `conv3d-threads-${process.pid}.h5`);
const main0 = threadSeconds(process.pid);
const all0 = process.cpuUsage();
const t0 = performance.now();
const result = await buildDataset({
  out,
  grid: Number(values.grid),
  digits: { train, test },
  workers: 2,
  ...(values.stream ? { inMemoryLimit: 1 } : {}),
});
const wall = (performance.now() - t0) / 1000;
const all = process.cpuUsage(all0);
const total = (all.user + all.system) / 1e6;
const main = threadSeconds(process.pid) - main0;
rmSync(out, { force: true });
const work = total - main;
const predicted = Math.min((main + work) / (main + work / 2), work / ((work + main) / 2));
console.log(
  `CPU: ${cpus()[0]?.model} x ${cpus().length}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n` +
    `grid ${values.grid}, ${result.train + result.test} rows (${values.stream ? 'streamed' : 'in memory'}), 2 workers: ` +
    `${total.toFixed(2)} s CPU in all, main thread ${main.toFixed(2)} s (${((100 * main) / total).toFixed(1)} %), ` +
    `workers ${work.toFixed(2)} s; wall ${wall.toFixed(1)} s; predicted 2-worker speed-up on an idle machine ` +
    `>= ${predicted.toFixed(2)}x`,
);
