// Benchmarks of @conv3d/data (run after `npm run build`): node bench/dataset.mjs [--runs N]
//  1. full build of the 12 000-row file (target ≤ 20 s), each run in a fresh process;
//  2. read + preprocess all 12 000 samples from it (target ≤ 2 s, peak RSS ≤ 1 GB), each run in a fresh process;
//  3. the same work per sample against the numpy/matplotlib references, measured in this run:
//     originals of 100 digits vs scripts/reference_recipe.py, and read + preprocess of X_test vs h5py + the seed's
//     ScalarMappable("Oranges") loop.
// Prints medians; CPU seconds (all threads) are shown because wall time depends on what else the machine runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = (name) => new URL(`../dist/${name}`, import.meta.url).href;
const PYTHON = '/usr/bin/python3';

function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function childBuild(arg) {
  const [out, compression] = arg.split('|');
  const { buildDataset } = await import(dist('builder.js'));
  const t0 = performance.now();
  const c0 = cpuSeconds();
  await buildDataset({ out, compression });
  return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
}

async function childRead(path) {
  const { openDataset } = await import(dist('index.js'));
  const { orangesRgb, SEED_CONTRACT } = await import('@conv3d/core');
  const { rawLength: VOXELS, inputSize: SAMPLE_SIZE } = SEED_CONTRACT;
  const preprocessSample = (src, srcOffset, dst, dstOffset) =>
    orangesRgb.apply(src, srcOffset, VOXELS, 1, dst, dstOffset);
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const ds = await openDataset(path);
  let samples = 0;
  let checksum = 0;
  const batchSize = 1000;
  const rgb = new Float32Array(batchSize * SAMPLE_SIZE); // one output buffer, as a training loop would keep
  for (const split of ['train', 'test']) {
    for (const batch of ds.batches(split, batchSize, { reuse: true })) {
      for (let k = 0; k < batch.count; k++) preprocessSample(batch.x, k * VOXELS, rgb, k * SAMPLE_SIZE);
      checksum += rgb[batch.count * SAMPLE_SIZE - 1];
      samples += batch.count;
    }
  }
  ds.close();
  return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0, samples, checksum };
}

async function childOriginals(count) {
  const { readMnist } = await import(dist('mnist-idx.js'));
  const { CloudBuffer, digitCloud } = await import(dist('point-cloud.js'));
  const { voxelRow } = await import(dist('voxelize.js'));
  const digits = readMnist('train', count);
  const cloud = new CloudBuffer();
  const row = new Float64Array(4096);
  const counts = new Int32Array(4096);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    digitCloud(digits.images, i * 784, cloud);
    voxelRow(cloud, counts, row, 0);
  }
  return { wall: (performance.now() - t0) / 1000 };
}

function child(kind, arg) {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', kind, '--arg', String(arg)],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`${kind} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function python(code, ...args) {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', cwd: join(here, '..', 'scripts') });
  if (r.status !== 0) throw new Error(`python reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const PY_ORIGINALS = `
import json, sys, time
import reference_recipe as recipe
n = int(sys.argv[1])
t = time.perf_counter()
for i in range(n):
    recipe.original_row("train", i)
print(json.dumps({"wall": time.perf_counter() - t}))
`;

const PY_READ = `
import json, sys, time
import h5py, numpy as np
import matplotlib.pyplot as plt
t = time.perf_counter()
with h5py.File(sys.argv[1], "r") as f:
    x = f["X_test"][:]
data_t = []
for i in range(x.shape[0]):
    s_m = plt.cm.ScalarMappable(cmap="Oranges")
    data_t.append(s_m.to_rgba(x[i])[:, :-1].reshape(16, 16, 16, 3))
out = np.asarray(data_t, dtype=np.float32)
print(json.dumps({"wall": time.perf_counter() - t, "samples": int(x.shape[0])}))
`;

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (v) => v.toFixed(2);

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, child: { type: 'string' }, arg: { type: 'string' } },
});

if (values.child) {
  const run = { build: childBuild, read: childRead, originals: childOriginals }[values.child];
  const result = await run(values.child === 'originals' ? Number(values.arg) : values.arg);
  console.log(JSON.stringify({ ...result, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'conv3d-bench-'));
  const file = join(dir, 'full_dataset_vectors.h5');
  try {
    console.log(`${cpus().length} cores, load average ${loadavg().map(fmt).join(' ')}, ${runs} runs each`);
    let reads;
    for (const compression of ['gzip', 'none']) {
      const builds = Array.from({ length: runs }, () => child('build', `${file}|${compression}`));
      console.log(
        `full build (12 000 rows, ${compression}): median ${fmt(median(builds.map((b) => b.wall)))} s wall, ` +
          `${fmt(median(builds.map((b) => b.cpu)))} s CPU, peak RSS ${median(builds.map((b) => b.maxRssMB)).toFixed(0)} MB` +
          `  [runs: ${builds.map((b) => fmt(b.wall)).join(', ')}]`,
      );
      reads = Array.from({ length: runs }, () => child('read', file));
      console.log(
        `read + preprocess ${reads[0].samples} samples (${compression}): median ${fmt(median(reads.map((r) => r.wall)))} s wall, ` +
          `${fmt(median(reads.map((r) => r.cpu)))} s CPU, peak RSS ${median(reads.map((r) => r.maxRssMB)).toFixed(0)} MB` +
          `  [runs: ${reads.map((r) => fmt(r.wall)).join(', ')}]`,
      );
    }
    const n = 100;
    const ours = median(Array.from({ length: runs }, () => child('originals', n).wall));
    const numpy = median(Array.from({ length: runs }, () => python(PY_ORIGINALS, String(n)).wall));
    console.log(
      `originals of ${n} digits: ours ${fmt(ours * 1000)} ms, numpy reference ${fmt(numpy * 1000)} ms ` +
        `→ ${fmt(numpy / ours)}× faster`,
    );
    const seed = median(Array.from({ length: runs }, () => python(PY_READ, file).wall));
    const oursPerSample = median(reads.map((r) => r.wall / r.samples));
    console.log(
      `read + preprocess per sample (uncompressed file): ours ${fmt(oursPerSample * 1e6)} µs, h5py + matplotlib (the seed) ` +
        `${fmt((seed / 2000) * 1e6)} µs → ${fmt(seed / 2000 / oursPerSample)}× faster`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
