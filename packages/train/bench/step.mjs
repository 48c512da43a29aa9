// One training step of the seed model at batch 100: our fast CPU backend against PyTorch CPU
// (Debian's /usr/bin/python3 with python3-torch), measured in the same run, plus where our time
// goes (tf.profile, per kernel). Needs `npm run build` first (it imports dist/).
//
//   node bench/step.mjs [--batch 100] [--warmup 2] [--steps 7] [--no-torch] [--stock-cpu]
//
// --stock-cpu also times ONE step on tfjs's stock cpu backend (~40 s at batch 100).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { Conv3D, fastAdam, useFastCpuBackend } from '../dist/fast-cpu/index.js';

const { values: opts } = parseArgs({
  options: {
    batch: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '2' },
    steps: { type: 'string', default: '7' },
    'no-torch': { type: 'boolean', default: false },
    'stock-cpu': { type: 'boolean', default: false },
  },
});
const batch = Number(opts.batch);
const warmup = Number(opts.warmup);
const steps = Number(opts.steps);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Seeded uniform [0, 1) values (mulberry32). */
function uniform(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  return out;
}

function seedModel() {
  const model = tf.sequential({
    layers: [
      new Conv3D({
        inputShape: [16, 16, 16, 3],
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.heUniform({ seed: 1 }),
      }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      new Conv3D({
        filters: 64,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.heUniform({ seed: 2 }),
      }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: 256,
        activation: 'relu',
        kernelInitializer: tf.initializers.heUniform({ seed: 3 }),
      }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: fastAdam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

function batchTensors() {
  const x = tf.tensor5d(uniform(batch * 16 * 16 * 16 * 3, 7), [batch, 16, 16, 16, 3]);
  const labels = tf.tensor1d(
    Array.from(uniform(batch, 8), (v) => Math.floor(v * 10)),
    'int32',
  );
  return { x, y: tf.oneHot(labels, 10).toFloat() };
}

async function timeSteps(count, label) {
  const model = seedModel();
  const { x, y } = batchTensors();
  const times = [];
  const cpuTimes = [];
  for (let i = 0; i < warmup + count; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await model.trainOnBatch(x, y);
    const cpu = process.cpuUsage(cpuStart);
    if (i >= warmup) {
      times.push((performance.now() - start) / 1000);
      cpuTimes.push((cpu.user + cpu.system) / 1e6);
    }
  }
  const profile = await tf.profile(() => model.trainOnBatch(x, y));
  tf.dispose([x, y]);
  model.dispose();
  console.log(
    `${label}: median ${median(times).toFixed(3)} s over ${count} steps [${times.map((t) => t.toFixed(3))}], CPU time ${median(cpuTimes).toFixed(3)} s`,
  );
  return { median: median(times), cpuMedian: median(cpuTimes), times, profile };
}

async function printProfile(profile) {
  const byKernel = new Map();
  let total = 0;
  for (const k of profile.kernels) {
    const ms = await k.kernelTimeMs;
    total += ms;
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  console.log(`profile of one step: ${total.toFixed(0)} ms in ${profile.kernels.length} kernel calls`);
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
  for (const [name, { ms, calls }] of rows) {
    console.log(`  ${name.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms  ${calls} calls`);
  }
}

function torchStep() {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_step.py');
  const args = [script, '--batch', String(batch), '--warmup', String(warmup), '--steps', String(steps)];
  const run = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (run.status !== 0) {
    console.log(
      `PyTorch reference unavailable: ${(run.stderr || String(run.error)).trim().split('\n').at(-1)}`,
    );
    return undefined;
  }
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1));
  const times = result.times_s.map((t) => t.toFixed(3));
  console.log(
    `PyTorch ${result.torch} CPU (${result.threads} threads): median ${result.median_s.toFixed(3)} s over ${steps} steps [${times}], CPU time ${result.cpu_median_s.toFixed(3)} s, peak RSS ${result.peak_rss_mb.toFixed(0)} MB`,
  );
  return result;
}

const info = await useFastCpuBackend();
console.log(`batch ${batch}, ${warmup} warm-up steps; backend ${info.backend}, kernels ${info.kernels}`);
if (info.fallbackReason) console.log(`  (${info.fallbackReason})`);
const torchBefore = opts['no-torch'] ? undefined : torchStep();
const ours = await timeSteps(steps, `tfjs ${info.backend}`);
console.log(`  peak RSS of this process so far: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
const torchAfter = opts['no-torch'] ? undefined : torchStep();
await printProfile(ours.profile);
if (torchBefore !== undefined && torchAfter !== undefined) {
  // PyTorch runs before and after ours; their mean is the reference if the load drifts meanwhile.
  const torchMedian = (torchBefore.median_s + torchAfter.median_s) / 2;
  const torchCpu = (torchBefore.cpu_median_s + torchAfter.cpu_median_s) / 2;
  console.log(
    `ratio ours / PyTorch (wall): ${(ours.median / torchMedian).toFixed(2)}x (PyTorch ${torchMedian.toFixed(3)} s)`,
  );
  console.log(
    `ratio ours / PyTorch (CPU time): ${(ours.cpuMedian / torchCpu).toFixed(2)}x (PyTorch ${torchCpu.toFixed(3)} s)`,
  );
}
if (opts['stock-cpu']) {
  await tf.setBackend('cpu');
  const stock = await timeSteps(1, 'tfjs stock cpu');
  console.log(`speed-up over stock cpu: ${(stock.median / ours.median).toFixed(1)}x`);
}
