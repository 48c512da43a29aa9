// Segmentation benchmark, in one run (issue 22's figures):
// - sliding windows over a 256³ one-channel volume with bench/seg_models.py's U-Net (64³ patch, overlap 0.5,
//   Gaussian blending, 4 windows per run, labels only) on @conv3d/infer-node against the same windows and weights in
//   PyTorch 1.13 (bench/torch_sliding_window.py): seconds and peak RSS, each run in a fresh process, interleaved;
// - the whole 256³ volume at once through the dilated fully convolutional network (nine Conv 3³, 20 channels,
//   dilations 1…16…1) on onnxruntime-node via loadSegmenter (free size): seconds and peak RSS.
// Run: npm run bench:segment -w @conv3d/infer-node (builds first). Medians; writes artifacts/bench/seg/results.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSegmenter } from '@conv3d/infer-node';

// Runs compiled, from build/bench/segment.js.
const PKG = fileURLToPath(new URL('../..', import.meta.url));
const DIR = join(PKG, 'artifacts', 'bench', 'seg');
const PYTHON = '/usr/bin/python3';
const SIZE = 256;
const ROI = 64;
const OVERLAP = 0.5;
const BATCH = 4;
const RUNS = Number(process.env.CONV3D_BENCH_RUNS ?? 3);
const FCN_RUNS = Number(process.env.CONV3D_BENCH_FCN_RUNS ?? 2);

interface Run {
  seconds: number;
  /** User + system time of the whole process (every thread) during the segmentation. */
  cpuSeconds: number;
  maxRss: number;
  windows: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** A seeded 256³ volume of smooth blobs plus noise, float32, written once. */
function volumeFile(): string {
  const path = join(DIR, 'volume.f32');
  if (existsSync(path)) return path;
  const data = new Float32Array(SIZE ** 3);
  let state = 2026;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    const x = i % SIZE;
    const y = Math.floor(i / SIZE) % SIZE;
    const z = Math.floor(i / SIZE ** 2);
    data[i] = Math.sin(x / 9) * Math.cos(y / 13) + Math.sin(z / 7) + (state / 2 ** 32 - 0.5) * 0.4;
  }
  writeFileSync(path, data);
  return path;
}

/** One measured segmentation in this (fresh) process: `model` is 'unet' or 'fcn'. */
async function child(model: string, labelsOut?: string): Promise<void> {
  const bytes = readFileSync(join(DIR, 'volume.f32'));
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const segmenter = await loadSegmenter(join(DIR, `${model}.onnx`), { device: 'cpu' });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await segmenter.segment(
    { data, dims: [SIZE, SIZE, SIZE] },
    model === 'unet' ? { overlap: OVERLAP, blend: 'gaussian', batch: BATCH } : {},
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  if (labelsOut) writeFileSync(labelsOut, result.labels);
  await segmenter.dispose();
  const run: Run = {
    seconds,
    cpuSeconds,
    maxRss: process.resourceUsage().maxRSS * 1024,
    windows: result.windows,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

function runNode(model: string, labelsOut?: string): Run {
  const script = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, [script, '--child', model, ...(labelsOut ? [labelsOut] : [])]);
  return JSON.parse(out.toString().trim().split('\n').at(-1) as string) as Run;
}

function runTorch(volume: string, labelsOut?: string): Run & { threads: number } {
  const script = join(PKG, 'bench', 'torch_sliding_window.py');
  // As many threads as onnxruntime's CPU EP takes by default (one per core).
  const threads = availableParallelism();
  const sizes = [SIZE, SIZE, SIZE, ROI, OVERLAP, BATCH, threads].map(String);
  const args = [script, join(DIR, 'unet.npz'), volume, ...sizes];
  const out = execFileSync(PYTHON, labelsOut ? [...args, labelsOut] : args);
  return JSON.parse(out.toString().trim()) as Run & { threads: number };
}

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  execFileSync(PYTHON, [join(PKG, 'bench', 'seg_models.py'), DIR]);
  const volume = volumeFile();
  const cpu =
    execFileSync('lscpu')
      .toString()
      .match(/Model name:\s*(.+)/)?.[1]
      ?.trim() ?? 'unknown';
  const loads: number[] = [loadavg()[0] as number];
  const ours: Run[] = [];
  const torch: (Run & { threads: number })[] = [];
  for (let i = 0; i < RUNS; i++) {
    const first = i === 0;
    ours.push(runNode('unet', first ? join(DIR, 'labels-node.u8') : undefined));
    torch.push(runTorch(volume, first ? join(DIR, 'labels-torch.u8') : undefined));
    loads.push(loadavg()[0] as number);
    console.log(
      `round ${i + 1}: infer-node ${ours.at(-1)?.seconds.toFixed(2)} s, PyTorch ${torch.at(-1)?.seconds.toFixed(2)} s`,
    );
  }
  const a = readFileSync(join(DIR, 'labels-node.u8'));
  const b = readFileSync(join(DIR, 'labels-torch.u8'));
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  const fcn: Run[] = [];
  for (let i = 0; i < FCN_RUNS; i++) {
    fcn.push(runNode('fcn'));
    loads.push(loadavg()[0] as number);
    console.log(`fcn round ${i + 1}: ${JSON.stringify(fcn.at(-1))}`);
  }
  const results = {
    cpu,
    load: { min: Math.min(...loads), max: Math.max(...loads) },
    volume: [SIZE, SIZE, SIZE],
    slidingWindow: {
      roi: ROI,
      overlap: OVERLAP,
      batch: BATCH,
      windows: ours[0]?.windows,
      inferNode: {
        seconds: median(ours.map((r) => r.seconds)),
        cpuSeconds: median(ours.map((r) => r.cpuSeconds)),
        maxRss: median(ours.map((r) => r.maxRss)),
        runs: ours,
      },
      pytorch: {
        seconds: median(torch.map((r) => r.seconds)),
        cpuSeconds: median(torch.map((r) => r.cpuSeconds)),
        maxRss: median(torch.map((r) => r.maxRss)),
        threads: torch[0]?.threads,
        runs: torch,
      },
      labelAgreement: same / a.length,
    },
    wholeVolumeFcn: {
      seconds: median(fcn.map((r) => r.seconds)),
      maxRss: median(fcn.map((r) => r.maxRss)),
      runs: fcn,
    },
  };
  writeFileSync(join(DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const sw = results.slidingWindow;
  console.log(`CPU ${cpu}; load average ${results.load.min.toFixed(1)}–${results.load.max.toFixed(1)}`);
  console.log(
    `sliding windows (${sw.windows} windows of ${ROI}³): infer-node ${sw.inferNode.seconds.toFixed(2)} s (peak RSS ${mb(sw.inferNode.maxRss)}), PyTorch ${sw.pytorch.seconds.toFixed(2)} s (peak RSS ${mb(sw.pytorch.maxRss)}, ${sw.pytorch.threads} threads): ${(sw.inferNode.seconds / sw.pytorch.seconds).toFixed(2)}× PyTorch's time (CPU time ${sw.inferNode.cpuSeconds.toFixed(1)} s vs ${sw.pytorch.cpuSeconds.toFixed(1)} s: ${(sw.inferNode.cpuSeconds / sw.pytorch.cpuSeconds).toFixed(2)}×); labels agree on ${(sw.labelAgreement * 100).toFixed(4)} % of voxels`,
  );
  console.log(
    `whole volume, dilated FCN: ${results.wholeVolumeFcn.seconds.toFixed(2)} s, peak RSS ${mb(results.wholeVolumeFcn.maxRss)}`,
  );
}

if (process.argv[2] === '--child') await child(process.argv[3] as string, process.argv[4]);
else await main();
