// `conv3d-dataset pack` throughput on a Decathlon-layout folder of generated scans (scripts/make-scans.py, nibabel):
// the compiled CLI with 1 and 2 workers, interleaved, each a fresh process under /usr/bin/time for its peak RSS;
// prints the medians, the CPU and the load.
//   node bench/pack.mjs [--scans 200] [--size 32] [--runs 3]   (build first: npx turbo run build)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    scans: { type: 'string', default: '200' },
    size: { type: 'string', default: '32' },
    runs: { type: 'string', default: '3' },
  },
});
const pkg = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'conv3d-pack-bench-'));
const folder = join(dir, 'msd');
execFileSync('/usr/bin/python3', [
  join(pkg, 'scripts', 'make-scans.py'),
  'decathlon',
  folder,
  values.scans,
  values.size,
]);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { 1: [], 2: [] };
for (let r = 0; r < Number(values.runs); r++) {
  for (const workers of [1, 2]) {
    const t = performance.now();
    const run = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        '%M %U %S',
        process.execPath,
        join(pkg, 'dist', 'cli.js'),
        'pack',
        folder,
        '--out',
        join(dir, `out-${workers}.h5`),
        '--workers',
        String(workers),
      ],
      { encoding: 'utf8' },
    );
    const seconds = (performance.now() - t) / 1000;
    if (run.status !== 0) throw new Error(run.stderr);
    const [rssKb, user, sys] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    results[workers].push({ seconds, rss: rssKb * 1024, cpu: user + sys });
  }
}
const s = Number(values.size);
console.log(
  `CPU ${cpus()[0]?.model} × ${cpus().length}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `${values.scans} scans ${s}×${s - 2}×${s - 4} int16 .nii.gz + uint8 labels, LPS; ${values.runs} interleaved runs`,
);
for (const workers of [1, 2]) {
  const t = median(results[workers].map((r) => r.seconds));
  const rss = median(results[workers].map((r) => r.rss));
  const cpu = median(results[workers].map((r) => r.cpu));
  console.log(
    `${workers} worker${workers > 1 ? 's' : ''}: ${t.toFixed(2)} s wall (process start included), ` +
      `${(Number(values.scans) / t).toFixed(1)} scans/s, ${cpu.toFixed(2)} s CPU, peak RSS ${(rss / 1e6).toFixed(0)} MB`,
  );
}
rmSync(dir, { recursive: true, force: true });
