// The native convolution kernels alone, at the shapes of a training step at batch 100: the seed's two convs and
// the issue-14 config's 'same' convs (3->24 and 24->24 at 16³, 24->24 at 8³ and 4³), and bench/unet-step.mjs's
// U-Net convs at batch 8 (`--only unet`). For each, the forward
// (+ bias + ReLU), the filter + bias gradient and the input gradient (both masked by ReLU), as the fused layer
// calls them; median wall and CPU time of --reps calls, and GFLOP/s (2·voxels·taps·filters per pass, the
// multiply-adds a pass must do). No reference here: step.mjs compares whole steps against PyTorch; this
// script compares builds (--isa) and thread counts (--threads) of our own kernels. Needs `npm run build`.
//
//   node bench/conv-kernels.mjs [--isa generic|avx2|avx512] [--threads N] [--reps 5] [--only i14]
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadNativeKernels } from '../dist/fast-cpu/native-addon.js';

const { values: opts } = parseArgs({
  options: {
    isa: { type: 'string', default: '' },
    threads: { type: 'string', default: '0' },
    reps: { type: 'string', default: '5' },
    only: { type: 'string', default: '' },
  },
});
const load = loadNativeKernels();
if (!load.ok) {
  console.error(`bench/conv-kernels.mjs: the native kernels did not load: ${load.reason}`);
  process.exit(1);
}
const native = load.kernels;
const chosen = native.configure(opts.isa, Number(opts.threads));
const reps = Number(opts.reps);

/** [name, batch, grid, in channels, filters, 'same' padding] */
const SHAPES = [
  ['seed conv1 3->32 16³ valid', 100, 16, 3, 32, false],
  ['seed conv2 32->64 7³ valid', 100, 7, 32, 64, false],
  ['i14 conv1 3->24 16³ same', 100, 16, 3, 24, true],
  ['i14 conv 24->24 16³ same', 100, 16, 24, 24, true],
  ['i14 conv 24->24 8³ same', 100, 8, 24, 24, true],
  ['i14 conv 24->24 4³ same', 100, 4, 24, 24, true],
  // bench/unet-step.mjs's U-Net at batch 8 of 32³: encoder, bottom and decoder (after the skip concatenation).
  ['unet conv 1->16 32³ same', 8, 32, 1, 16, true],
  ['unet conv 16->16 32³ same', 8, 32, 16, 16, true],
  ['unet conv 16->32 16³ same', 8, 16, 16, 32, true],
  ['unet conv 32->32 16³ same', 8, 16, 32, 32, true],
  ['unet conv 32->64 8³ same', 8, 8, 32, 64, true],
  ['unet conv 64->64 8³ same', 8, 8, 64, 64, true],
  ['unet conv 96->32 16³ same', 8, 16, 96, 32, true],
  ['unet conv 48->16 32³ same', 8, 32, 48, 16, true],
];

function filled(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

function time(fn) {
  const walls = [];
  const cpusUsed = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    walls.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpusUsed.push((c.user + c.system) / 1e6);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wall: median(walls), cpu: median(cpusUsed) };
}

console.log(
  `CPU: ${cpus()[0]?.model ?? 'unknown'}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`kernels ${chosen.isa}, ${chosen.threads} threads, median of ${reps}`);
for (const [name, n, grid, c, f, same] of SHAPES) {
  if (opts.only && !name.includes(opts.only)) continue;
  const out = same ? grid : grid - 2;
  const pad = same ? 1 : 0;
  const geometry = Int32Array.from([
    n,
    grid,
    grid,
    grid,
    c,
    out,
    out,
    out,
    f,
    3,
    3,
    3,
    1,
    1,
    1,
    1,
    1,
    1,
    pad,
    pad,
    pad,
  ]);
  const x = filled(n * grid ** 3 * c, 1);
  const w = filled(27 * c * f, 2);
  const bias = filled(f, 3);
  const y = new Float32Array(n * out ** 3 * f);
  const dy = filled(y.length, 4);
  const dw = new Float32Array(w.length);
  const db = new Float32Array(f);
  const dx = new Float32Array(x.length);
  const gflop = (2 * n * out ** 3 * 27 * c * f) / 1e9;
  const forward = time(() => native.conv3d(x, w, bias, y, geometry, true));
  const filter = time(() => native.conv3dBackpropFilter(x, dy, y, dw, db, geometry));
  const input = time(() => native.conv3dBackpropInput(dy, w, y, dx, geometry));
  const row = (label, t) =>
    `${label} ${(t.wall * 1e3).toFixed(1).padStart(7)} ms (${(gflop / t.wall).toFixed(0).padStart(4)} GFLOP/s, CPU ${(t.cpu * 1e3).toFixed(1)} ms)`;
  console.log(`${name.padEnd(28)} ${gflop.toFixed(2)} GFLOP per pass`);
  console.log(`  ${row('forward        ', forward)}`);
  console.log(`  ${row('filter gradient', filter)}`);
  console.log(`  ${row('input gradient ', input)}`);
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
