// Reads rows past big offsets of a big file with @conv3d/data's reader and checks them against h5py:
//   node bench/big-read.mjs FILE [--offsets 2,4,16,32] [--rows 4]
// For each offset (GiB into X_train's data) it reads `--rows` rows there with openDataset + read, in this process,
// and the same rows with h5py (Debian's /usr/bin/python3) in another; prints the rows' file offset (h5py's chunk
// info), both digests (sha256 of the raw bytes, which must agree) and each side's peak RSS.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openDataset } from '../dist/index.js';

const { values, positionals } = parseArgs({
  options: { offsets: { type: 'string', default: '2,4,16,32' }, rows: { type: 'string', default: '4' } },
  allowPositionals: true,
});
const [file] = positionals;
if (!file) throw new Error('usage: node bench/big-read.mjs FILE [--offsets GB,...] [--rows N]');
const count = Number(values.rows);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const sha = (a) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

console.log(`CPU: ${cpus()[0]?.model} x ${cpus().length}; load ${load()}`);
console.log(`${file}: ${(statSync(file).size / 1e9).toFixed(2)} GB`);
const t0 = performance.now();
const ds = await openDataset(file);
const info = ds.info('train');
const testRows = ds.info('test').rows;
const rowBytes = ds.rowLength * (info.xDtype === 'float32' ? 4 : 8);
console.log(
  `opened in ${((performance.now() - t0) / 1000).toFixed(2)} s: ${info.rows} train + ${testRows} test rows of ` +
    `${ds.rowLength} ${info.xDtype}`,
);
const picks = values.offsets
  .split(',')
  .map(Number)
  .map((gb) => {
    const row = Math.ceil((gb * 2 ** 30) / rowBytes);
    return row < info.rows ? { gb, split: 'train', row } : { gb, split: 'test', row: row - info.rows };
  })
  .filter(({ split, row }) => row + count <= (split === 'train' ? info.rows : testRows));
const ours = [];
for (const { gb, split, row } of picks) {
  const t = performance.now();
  const { x, y } = ds.read(split, row, count);
  ours.push({ gb, split, row, ms: performance.now() - t, digest: sha(x), labels: Array.from(y).join(',') });
}
ds.close();
const oursRss = process.resourceUsage().maxRSS / 1024;

const script = `
import h5py, hashlib, json, resource, sys
f = h5py.File(sys.argv[1], 'r')
out = []
for split, row in json.loads(sys.argv[2]):
    x, y = f['X_' + split], f['y_' + split]
    rows = x[row:row + ${count}]
    info = x.id.get_chunk_info_by_coord((row, 0)) if x.chunks else None
    offset = info.byte_offset if info else x.id.get_offset() + row * rows.itemsize * x.shape[1]
    out.append({'digest': hashlib.sha256(rows.tobytes()).hexdigest(), 'offset': offset,
                'labels': ','.join(str(int(v)) for v in y[row:row + ${count}])})
print(json.dumps({'rows': out, 'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;
const py = spawnSync(
  '/usr/bin/python3',
  ['-c', script, file, JSON.stringify(picks.map((p) => [p.split, p.row]))],
  {
    encoding: 'utf8',
  },
);
if (py.status !== 0) throw new Error(`h5py failed: ${py.stderr}`);
const ref = JSON.parse(py.stdout);
let same = true;
for (const [i, o] of ours.entries()) {
  const r = ref.rows[i];
  const match = o.digest === r.digest && o.labels === r.labels;
  same &&= match;
  console.log(
    `past ${o.gb} GiB: ${o.split} rows ${o.row}..${o.row + count - 1} at file offset ${(r.offset / 2 ** 30).toFixed(2)} GiB, ` +
      `read in ${o.ms.toFixed(1)} ms; h5py ${match ? 'agrees' : 'DIFFERS'} (sha256 ${o.digest.slice(0, 12)}, labels ${o.labels})`,
  );
}
console.log(
  `peak RSS: ours ${oursRss.toFixed(0)} MB, h5py ${ref.rss.toFixed(0)} MB; load ${load()}; ${same ? 'all rows agree' : 'MISMATCH'}`,
);
process.exitCode = same ? 0 : 1;
