// Shared plumbing of the step benchmarks (step.mjs, unet-step.mjs): a PyTorch step server run
// interleaved with our steps, the medians and per-pair ratios, the CPU model and load average, and
// a per-kernel tf.profile summary.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
};

export const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

export const cpuModel = () =>
  readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? 'unknown CPU';

/** Seeded uniform [0, 1) values (mulberry32). */
export function uniform(n, seed) {
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

/** Wall and CPU seconds of one awaited call, and what it returned. */
export async function timed(fn) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const value = await fn();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6, value };
}

/** Our side of a step benchmark: trainOnBatch(x, y) on a compiled model, timed or profiled. */
export function modelStepper(model, x, y) {
  return {
    parameters: model.countParams(),
    async step() {
      const r = await timed(() => model.trainOnBatch(x, y));
      // trainOnBatch gives the loss, or [loss, ...metrics].
      return { ...r, loss: Array.isArray(r.value) ? r.value[0] : r.value };
    },
    profile: () => tf.profile(() => model.trainOnBatch(x, y)),
    dispose() {
      tf.dispose([x, y]);
      model.optimizer.dispose();
      model.dispose();
    },
  };
}

/**
 * A PyTorch step server (/usr/bin/python3 `script` `args`): it prints one JSON line describing
 * itself, then answers each "step" line with one of its wall and CPU time. Undefined (and a line
 * saying why) when it does not start.
 */
export async function torchStepper(script, args) {
  const child = spawn('/usr/bin/python3', [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(stderr.trim().split('\n').at(-1) || 'PyTorch exited');
    return JSON.parse(value);
  };
  try {
    const info = await next();
    return {
      info,
      async step() {
        child.stdin.write('step\n');
        const r = await next();
        return { wall: r.wall_s, cpu: r.cpu_s, rss: r.peak_rss_mb, loss: r.loss };
      },
      close: () => child.stdin.end(),
    };
  } catch (error) {
    child.kill();
    console.log(`PyTorch reference unavailable: ${error.message}`);
    return undefined;
  }
}

const fmt = (xs) => `[${xs.map((t) => t.toFixed(3)).join(', ')}]`;

/**
 * Warm-up, then `steps` pairs (ours, then PyTorch's), and prints both medians, the per-pair
 * ratios with their spread, and the load average after. Returns our step times.
 */
export async function interleave(ours, torch, warmup, steps) {
  for (let i = 0; i < warmup; i++) {
    await ours.step();
    await torch?.step();
  }
  const mine = [];
  const theirs = [];
  for (let i = 0; i < steps; i++) {
    mine.push(await ours.step());
    if (torch) theirs.push(await torch.step());
  }
  const loadAfter = load();
  console.log(
    `ours: median ${median(mine.map((r) => r.wall)).toFixed(3)} s ${fmt(mine.map((r) => r.wall))}, CPU time ${median(mine.map((r) => r.cpu)).toFixed(3)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  if (torch) {
    console.log(
      `PyTorch: median ${median(theirs.map((r) => r.wall)).toFixed(3)} s ${fmt(theirs.map((r) => r.wall))}, CPU time ${median(theirs.map((r) => r.cpu)).toFixed(3)} s, peak RSS ${theirs.at(-1).rss.toFixed(0)} MB`,
    );
    torch.close();
    const wall = mine.map((r, i) => r.wall / theirs[i].wall);
    const cpu = mine.map((r, i) => r.cpu / theirs[i].cpu);
    const losses = (rs) => `${rs[0].loss.toFixed(4)} → ${rs.at(-1).loss.toFixed(4)}`;
    console.log(`training loss over the timed steps: ours ${losses(mine)}, PyTorch ${losses(theirs)}`);
    const spread = (xs) =>
      `pairs min ${Math.min(...xs).toFixed(2)}, quartiles ${quantile(xs, 0.25).toFixed(2)}–${quantile(xs, 0.75).toFixed(2)}, max ${Math.max(...xs).toFixed(2)}`;
    console.log(`ratio ours / PyTorch (wall): ${median(wall).toFixed(2)}x (${spread(wall)})`);
    console.log(`ratio ours / PyTorch (CPU time): ${median(cpu).toFixed(2)}x (${spread(cpu)})`);
  }
  console.log(`load average after: ${loadAfter}`);
  return mine;
}

/** Prints where one profiled step's kernel time went, the `top` largest kernels by name. */
export async function printProfile(profile, top = 15) {
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
  console.log(
    `profile of one of our steps: ${total.toFixed(0)} ms in ${profile.kernels.length} kernel calls`,
  );
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
  for (const [name, { ms, calls }] of rows) {
    console.log(`  ${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${calls} calls`);
  }
}
