// Read + canonicalise a 256³ int16 .nii.gz: ours (from the built dist; Node's zlib and the web-standard
// DecompressionStream) against nibabel (load +
// as_closest_canonical + get_fdata(dtype=float32)) on the same file, each run a fresh process, interleaved; prints
// the medians of the in-process times and the peak RSS of each, with the CPU and load.
// usage: node bench/nifti-read.mjs [--runs 5] [--size 256]   (build first: npx turbo run build)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, size: { type: 'string', default: '256' } },
});
const runs = Number(values.runs);
const n = Number(values.size);
const dir = mkdtempSync(join(tmpdir(), 'conv3d-nifti-bench-'));
const file = join(dir, 'scan.nii.gz');
const dist = new URL('../dist/index.js', import.meta.url).href;
const distNode = new URL('../dist/node/index.js', import.meta.url).href;

// A smooth phantom with noise, stored LPS (so canonicalising flips two axes), int16, gzip level 6 (nibabel's).
execFileSync('/usr/bin/python3', [
  '-c',
  `import sys, numpy as np, nibabel as nib
n = ${n}; rng = np.random.default_rng(0)
i, j, k = np.ogrid[:n, :n, :n]
r = np.sqrt((i - n / 2) ** 2 + (j - n / 2) ** 2 + (k - n / 2) ** 2)
vol = (1000 * np.exp(-r / (n / 4)) + rng.normal(0, 20, (n, n, n))).astype(np.int16)
aff = np.diag([-1.0, -1.0, 1.0, 1.0]); aff[:3, 3] = [n / 2, n / 2, -n / 2]
nib.save(nib.Nifti1Image(vol, aff), sys.argv[1])`,
  file,
]);

// ours: 'node' reads with readNiftiFile (Node's zlib), 'web' with readCanonical (DecompressionStream, as browsers do).
const ours = (path) => `
const { readFile } = await import('node:fs/promises');
const core = await import(${JSON.stringify(dist)});
const { readNiftiFile } = await import(${JSON.stringify(distNode)});
const t = performance.now();
const c = process.cpuUsage();
const v = ${JSON.stringify(path)} === 'node'
  ? core.orientImage(await readNiftiFile(${JSON.stringify(file)}), 'RAS')
  : await core.readCanonical(await readFile(${JSON.stringify(file)}), 'scan.nii.gz');
const s = (performance.now() - t) / 1000;
const used = process.cpuUsage(c);
console.log(JSON.stringify({ s, cpu: (used.user + used.system) / 1e6, rss: process.resourceUsage().maxRSS * 1024, check: v.data[12345] + v.data.length }));`;
const nibabel = `
import json, resource, time, numpy as np, nibabel as nib
t = time.perf_counter()
c = time.process_time()
img = nib.as_closest_canonical(nib.load(${JSON.stringify(file)}))
a = img.get_fdata(dtype=np.float32)
s = time.perf_counter() - t
cpu = time.process_time() - c
print(json.dumps({'s': s, 'cpu': cpu, 'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, 'check': float(a.ravel(order='F')[12345]) + a.size}))`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { node: [], web: [], nibabel: [] };
for (let r = 0; r < runs; r++) {
  for (const path of ['node', 'web']) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', ours(path)]).toString();
    results[path].push(JSON.parse(out));
  }
  results.nibabel.push(JSON.parse(execFileSync('/usr/bin/python3', ['-c', nibabel]).toString()));
}
for (const path of ['node', 'web']) {
  if (results[path][0].check !== results.nibabel[0].check)
    throw new Error(`ours (${path}) and nibabel differ`);
}
const median3 = (rows, key) => median(rows.map((r) => r[key]));
const b = median3(results.nibabel, 's');
const bc = median3(results.nibabel, 'cpu');
const mb = (rows) => (median3(rows, 'rss') / 1e6).toFixed(0);
console.log(
  `CPU ${cpus()[0]?.model ?? '?'} × ${cpus().length}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${runs} interleaved runs, ${n}³ int16 .nii.gz`,
);
console.log(
  `nibabel      median ${b.toFixed(3)} s wall, ${bc.toFixed(3)} s CPU, peak RSS ${mb(results.nibabel)} MB`,
);
for (const path of ['node', 'web']) {
  const rows = results[path];
  const o = median3(rows, 's');
  const oc = median3(rows, 'cpu');
  const pairs = rows.map((r, i) => r.s / results.nibabel[i].s).sort((x, y) => x - y);
  console.log(
    `ours (${path}) median ${o.toFixed(3)} s wall, ${oc.toFixed(3)} s CPU, peak RSS ${mb(rows)} MB: ` +
      `${(o / b).toFixed(2)}× wall (per-pair ${pairs[0].toFixed(2)}–${pairs.at(-1).toFixed(2)}), ${(oc / bc).toFixed(2)}× CPU`,
  );
}
rmSync(dir, { recursive: true, force: true });
