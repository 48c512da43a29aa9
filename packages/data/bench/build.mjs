// Build benchmarks of conv3d-dataset (run after `npm run build`), each build in a fresh `conv3d-dataset build`
// process timed by /usr/bin/time (wall seconds, CPU seconds, peak RSS):
//   node bench/build.mjs [--runs N] [--grid N] [--digits T,E] [--copies N]
//     rows/s with --workers 1 and --workers 2, interleaved run by run (the order alternating), medians and their
//     ratio (issue 13's target: >= 1.8x);
//   node bench/build.mjs --once --out FILE [build flags...]
//     one build (e.g. --grid 32 --digits all), kept at FILE: wall time, rows/s, peak RSS, file size.
// The CPU model and the load average before and after every run are printed beside the figures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One build in its own process; /usr/bin/time reports its wall and CPU seconds and peak RSS. */
function timedBuild(args) {
  const before = load();
  const timing = join(tmpdir(), `conv3d-build-time-${process.pid}`);
  const r = spawnSync(
    '/usr/bin/time',
    ['-o', timing, '-f', '%e %U %S %M', process.execPath, cli, 'build', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (r.status !== 0)
    throw new Error(`build ${args.join(' ')} failed: ${r.stderr.trim().split('\n').at(-1)}`);
  const [wall, user, sys, maxKb] = readFileSync(timing, 'utf8')
    .trim()
    .split('\n')
    .at(-1)
    .split(' ')
    .map(Number);
  rmSync(timing, { force: true });
  const m = r.stdout.match(/: (\d+) train \+ (\d+) test rows/);
  const rows = Number(m[1]) + Number(m[2]);
  return {
    wall,
    cpu: user + sys,
    rssMb: maxKb / 1024,
    rows,
    rate: rows / wall,
    load: `${before} -> ${load()}`,
  };
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    grid: { type: 'string', default: '16' },
    digits: { type: 'string', default: '4000,1000' },
    copies: { type: 'string', default: '1' },
    once: { type: 'boolean', default: false },
    out: { type: 'string' },
    dtype: { type: 'string', default: 'float64' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: node bench/build.mjs [--runs N] [--grid N] [--digits T,E|all] [--copies N] [--dtype float64|float32]\n' +
      '       node bench/build.mjs --once --out FILE [--grid N] [--digits T,E|all] [--copies N] [--dtype ...]',
  );
  process.exit(0);
}
const buildFlags = [
  ...['--grid', values.grid, '--digits', values.digits, '--copies', values.copies, '--dtype', values.dtype],
];

console.log(`CPU: ${cpus()[0]?.model} x ${cpus().length}; node ${process.version}; load ${load()}`);
if (values.once) {
  if (!values.out) throw new Error('--once needs --out FILE');
  const flags = ['--out', values.out, ...buildFlags];
  const t = timedBuild(flags);
  const size = statSync(values.out).size;
  console.log(
    `build ${flags.join(' ')}: ${t.rows} rows in ${t.wall.toFixed(1)} s wall ` +
      `(${t.rate.toFixed(0)} rows/s), ${t.cpu.toFixed(1)} s CPU, peak RSS ${t.rssMb.toFixed(0)} MB, ` +
      `file ${(size / 1e9).toFixed(2)} GB; load ${t.load}`,
  );
} else {
  const dir = mkdtempSync(join(tmpdir(), 'conv3d-build-bench-'));
  const out = join(dir, 'bench.h5');
  const results = { 1: [], 2: [] };
  try {
    const runs = Number(values.runs);
    for (let run = 0; run < runs; run++) {
      for (const workers of run % 2 === 0 ? [1, 2] : [2, 1]) {
        const t = timedBuild(['--out', out, ...buildFlags, '--workers', String(workers)]);
        results[workers].push(t);
        console.log(
          `run ${run + 1} workers ${workers}: ${t.rows} rows in ${t.wall.toFixed(2)} s = ${t.rate.toFixed(0)} rows/s ` +
            `(${t.cpu.toFixed(1)} s CPU, ${t.rssMb.toFixed(0)} MB peak RSS; load ${t.load})`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rate = (w) => median(results[w].map((t) => t.rate));
  console.log(
    `${buildFlags.join(' ')}: median rows/s ` +
      `1 worker ${rate(1).toFixed(0)}, 2 workers ${rate(2).toFixed(0)}: ${(rate(2) / rate(1)).toFixed(2)}x ` +
      `(medians of ${values.runs}; load now ${load()})`,
  );
}
