// Issue 13's training figures (BENCHMARKS.md), each through the built CLI in its own process:
//
//   node bench/stream.mjs make [--dir /work/big-train] [--rows 12000,120000,300000]
//       16³ files of N training rows, tiled from the seed file (bench/make_big_train.py, /usr/bin/python3 + h5py)
//   node bench/stream.mjs rss [--dir /work/big-train] [--rows 12000,120000,300000] [--steps 100]
//       peak RSS of a streamed run of `--steps` training steps (seed config; --validation X replaces its 0.2 to
//       shorten the validation pass) as one epoch of --steps-per-epoch, then the streamed validation and test,
//       on each file, and the in-memory run on the smallest as a reference
//   node bench/stream.mjs speed [--pairs 5] [--speed-steps N] [--validation X]
//       samples per second of the training steps, --stream against --no-stream on the seed file, interleaved
//       (order alternating per pair); medians and the median per-pair ratio
//   node bench/stream.mjs reads [--batches 40]
//       one shuffled batch of 100 rows read three ways, on the seed file and on a gzip copy (chunks of 16 rows, as
//       the builder writes): readAt (sorted spans, one read per chunk), one read per row in shuffle order, and 100
//       consecutive rows for reference; medians
//   node bench/stream.mjs file FILE [--config configs/seed-any-grid.json] [--steps 100] [--validation X, default 0.02]
//       peak RSS over --steps streamed steps on any file (the 32³ --digits all file); the config's validationSplit
//       is replaced by --validation so the validation pass stays short on a file of 100 000+ rows
//
// Peak RSS is run.json's peakRssMB: the training process's maxRSS, its streaming worker thread included.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const CLI = here('../dist/cli.js');
const SEED_FILE = here('../../data/artifacts/full_dataset_vectors.h5');
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string', default: '/work/big-train' },
    rows: { type: 'string', default: '12000,120000,300000' },
    steps: { type: 'string', default: '100' },
    pairs: { type: 'string', default: '5' },
    config: { type: 'string', default: here('../configs/seed-any-grid.json') },
    validation: { type: 'string' },
    'speed-steps': { type: 'string' },
    batches: { type: 'string', default: '40' },
  },
});
const [command, fileArg] = positionals;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sizes = values.rows.split(',').map(Number);
const fileOf = (rows) => join(values.dir, `mnist16-${rows}.h5`);
const scratch = mkdtempSync(join(tmpdir(), 'conv3d-stream-config-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
/** `--config FILE`: `base` (default the seed's) with validationSplit replaced by --validation (or `fallback`). */
function configFlag(base, fallback) {
  const validation = values.validation ?? fallback;
  if (validation === undefined) return base ? ['--config', base] : [];
  const config = JSON.parse(readFileSync(base ?? here('../configs/seed.json'), 'utf8'));
  config.validationSplit = Number(validation);
  const path = join(scratch, `config-${validation}.json`);
  writeFileSync(path, JSON.stringify(config));
  return ['--config', path];
}
console.log(`CPU: ${cpus()[0]?.model} × ${cpus().length}; node ${process.version}; load average ${load()}`);

/** One CLI run; returns run.json. */
function train(args) {
  const out = mkdtempSync(join(tmpdir(), 'conv3d-stream-bench-'));
  try {
    const r = spawnSync(process.execPath, [CLI, ...args, '--out', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`conv3d-train ${args.join(' ')} failed:\n${r.stderr}`);
    return JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function rssLine(label, file, run) {
  const l = run.loading;
  const steps = l.stepsPerEpoch;
  const gb = (statSync(file).size / 1e9).toFixed(2);
  console.log(
    `${label.padEnd(26)} ${gb.padStart(6)} GB  peak RSS ${String(run.peakRssMB).padStart(5)} MB  ` +
      `${steps} steps ${(l.epochTrainSeconds[0] / steps).toFixed(3)} s/step  waited ${l.epochWaitSeconds[0].toFixed(2)} s  ` +
      `queued ≤ ${l.peakQueuedBatches}  (${l.mode}, total ${run.timings.totalSeconds.toFixed(0)} s, load ${load()})`,
  );
}

if (command === 'make') {
  mkdirSync(values.dir, { recursive: true });
  for (const rows of sizes) {
    const file = fileOf(rows);
    if (existsSync(file)) {
      console.log(`${file}: exists`);
      continue;
    }
    const r = spawnSync('/usr/bin/python3', [here('./make_big_train.py'), SEED_FILE, file, String(rows)], {
      stdio: 'inherit',
    });
    if (r.status !== 0) process.exit(1);
    console.log(`${file}: ${(statSync(file).size / 1e9).toFixed(2)} GB`);
  }
} else if (command === 'rss') {
  const steps = values.steps;
  const peaks = [];
  for (const rows of sizes) {
    const run = train([
      ...configFlag(),
      '--data',
      fileOf(rows),
      '--stream',
      '--steps-per-epoch',
      steps,
      '--epochs',
      '1',
    ]);
    rssLine(`stream, ${rows} rows`, fileOf(rows), run);
    peaks.push(run.peakRssMB);
  }
  const ref = train([
    ...configFlag(),
    '--data',
    fileOf(sizes[0]),
    '--no-stream',
    '--steps-per-epoch',
    steps,
    '--epochs',
    '1',
  ]);
  rssLine(`in memory, ${sizes[0]} rows`, fileOf(sizes[0]), ref);
  const spread = (Math.max(...peaks) / Math.min(...peaks) - 1) * 100;
  console.log(
    `streamed peak RSS: ${Math.min(...peaks)}–${Math.max(...peaks)} MB, spread ${spread.toFixed(1)} %`,
  );
} else if (command === 'speed') {
  const rates = { stream: [], memory: [] };
  const ratios = [];
  for (let pair = 0; pair < Number(values.pairs); pair++) {
    const order = pair % 2 === 0 ? ['stream', 'memory'] : ['memory', 'stream'];
    const got = {};
    for (const mode of order) {
      const steps = values['speed-steps'] ? ['--steps-per-epoch', values['speed-steps']] : [];
      const flag = `--${mode === 'stream' ? '' : 'no-'}stream`;
      const run = train([...configFlag(), '--data', SEED_FILE, flag, ...steps, '--epochs', '1']);
      got[mode] = (run.loading.stepsPerEpoch * run.config.batchSize) / run.loading.epochTrainSeconds[0];
      rates[mode].push(got[mode]);
      console.log(
        `pair ${pair + 1} ${mode.padEnd(6)} ${got[mode].toFixed(1)} samples/s (waited ${run.loading.epochWaitSeconds[0].toFixed(2)} s; load ${load()})`,
      );
    }
    ratios.push(got.stream / got.memory);
  }
  console.log(
    `median: stream ${median(rates.stream).toFixed(1)} samples/s, in memory ${median(rates.memory).toFixed(1)} samples/s, ` +
      `stream/memory per pair median ${median(ratios).toFixed(3)} (${ratios.map((r) => r.toFixed(3)).join(', ')}); load ${load()}`,
  );
} else if (command === 'reads') {
  const { openDataset } = await import('../../data/dist/index.js');
  const { deriveSeed, permutation } = await import('../../core/dist/index.js');
  const gzip = join(values.dir, 'seed-gzip.h5');
  if (!existsSync(gzip)) {
    mkdirSync(values.dir, { recursive: true });
    const script = `import sys, h5py
with h5py.File(sys.argv[1]) as s, h5py.File(sys.argv[2], 'w') as o:
    for k in s:
        kw = dict(chunks=(16, s[k].shape[1]), compression='gzip', compression_opts=4) if s[k].ndim == 2 else {}
        o.create_dataset(k, data=s[k][:], **kw)`;
    const r = spawnSync('/usr/bin/python3', ['-c', script, SEED_FILE, gzip], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(1);
  }
  for (const file of [SEED_FILE, gzip]) {
    const ds = await openDataset(file);
    const order = permutation(8000, deriveSeed(1337, 0));
    const times = { readAt: [], perRow: [], consecutive: [] };
    for (let b = 0; b < Number(values.batches); b++) {
      const idx = order.subarray((b % 80) * 100, (b % 80) * 100 + 100);
      let t = performance.now();
      ds.readAt('train', idx);
      times.readAt.push(performance.now() - t);
      t = performance.now();
      for (const row of idx) ds.read('train', row, 1);
      times.perRow.push(performance.now() - t);
      t = performance.now();
      ds.read('train', (b % 80) * 100, 100);
      times.consecutive.push(performance.now() - t);
    }
    ds.close();
    const m = (k) => `${median(times[k]).toFixed(2)} ms`;
    console.log(
      `${file.endsWith('gzip.h5') ? 'gzip, chunks of 16 rows' : 'contiguous float64 (seed)'}: 100 shuffled rows: readAt ${m('readAt')}, ` +
        `one read per row ${m('perRow')}; 100 consecutive rows ${m('consecutive')} (load ${load()})`,
    );
  }
} else if (command === 'file') {
  if (!fileArg) throw new Error('file: give the HDF5 file');
  const args = [...configFlag(values.config, '0.02'), '--data', fileArg, '--stream'];
  const run = train([...args, '--steps-per-epoch', values.steps, '--epochs', '1']);
  rssLine(`stream, ${run.dataset.trainRows + run.dataset.validationRows} rows`, fileArg, run);
} else {
  console.error('usage: node bench/stream.mjs make|rss|speed|reads|file FILE [options] (see the header)');
  process.exit(2);
}
