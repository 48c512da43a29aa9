// The headline figures from one run of the documented command (conv3d-train --config configs/best-resnet.json): wall time,
// peak RSS, test accuracy overall and on originals (even rows) against rotated copies (odd rows), then the run
// folder exported with conv3d-export and scored on onnxruntime-node with conv3d-predict --split test, which must
// match the training run's test score. Flags after `--` go to conv3d-train (e.g. `-- --limit 400 --epochs 1` checks
// the wiring in minutes). Needs `npm run build` at the repo root and the built dataset.
//
//   node bench/best-run.mjs [--out runs/best] [--data FILE] [--config configs/best-resnet.json] [-- conv3d-train flags]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const TRAIN = here('../dist/cli.js');
const EXPORT = here('../../export-onnx/dist/cli.js');
const PREDICT = here('../../infer-node/dist/cli.js');

const { values: opts, positionals: trainFlags } = parseArgs({
  options: {
    out: { type: 'string', default: 'runs/best' },
    data: { type: 'string' },
    config: { type: 'string', default: here('../configs/best-resnet.json') },
  },
  allowPositionals: true,
});
const out = resolve(opts.out);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Runs `node script args`; the child's output is shown as it comes (training's progress) and returned. */
function node(script, args) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done(stdout) : fail(new Error(`${script} ${args.join(' ')} exited ${code}`)),
    );
  });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`CPU: ${cpu}, ${cpus().length} cores; load average before: ${load()}`);
const data = opts.data === undefined ? [] : ['--data', opts.data];
const started = performance.now();
await node(TRAIN, ['--config', opts.config, '--out', out, ...data, ...trainFlags]);
const wallSeconds = (performance.now() - started) / 1000;
const loadAfterTraining = load();

const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
const { test, weights } = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
const onnx = join(out, 'model.onnx');
await node(EXPORT, [out, '--out', onnx]);
const limit = run.dataset.limit == null ? [] : ['--limit', String(run.dataset.limit)];
const predicted = await node(PREDICT, [onnx, run.dataset.path, '--split', 'test', ...limit]);
const score = /^accuracy (\d\.\d+) \((\d+)\/(\d+)\) on test/m.exec(predicted);
if (!score) throw new Error('conv3d-predict printed no accuracy line');
const [onnxCorrect, onnxTotal] = [Number(score[2]), Number(score[3])];

const pct = (a) => `${(a * 100).toFixed(2)} %`;
const minutes = (s) => `${(s / 60).toFixed(1)} min`;
console.log(`
command: node packages/train/dist/cli.js --config ${opts.config} --out ${out} ${[...data, ...trainFlags].join(' ')}
backend: ${run.backend.name} (${run.backend.detail ?? run.backend.tfBackend})
wall time: ${minutes(wallSeconds)} (${wallSeconds.toFixed(0)} s; training loop ${run.timings.totalSeconds.toFixed(0)} s, ${run.timings.epochSeconds.length} epochs, mean ${run.timings.meanEpochSeconds.toFixed(0)} s)
peak RSS: ${run.peakRssMB} MB (the training process, its augmentation worker thread included)
weights: ${weights?.weights ?? 'last epoch'}${weights?.bestEpoch === undefined ? '' : ` (epoch ${weights.bestEpoch})`}
test accuracy: ${pct(test.accuracy)} of ${test.count}; originals ${pct(test.originals.accuracy)}, rotated copies ${pct(test.rotatedCopies.accuracy)}
conv3d-predict --split test on the export: ${pct(onnxCorrect / onnxTotal)} (${onnxCorrect}/${onnxTotal})
load average: after training ${loadAfterTraining}, after export and predict ${load()}`);
if (onnxTotal !== test.count || onnxCorrect !== Math.round(test.accuracy * test.count)) {
  console.error(
    `best-run: the ONNX export scores ${onnxCorrect}/${onnxTotal}, training's test ${test.accuracy}`,
  );
  process.exitCode = 1;
}
