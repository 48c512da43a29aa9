// Export time and peak memory for a ~10 M-parameter functional 3D model, against tfjs's own in-memory save of the
// same model (topology JSON + one weight buffer), each run in a fresh process, the two interleaved.
// Run after a build: node bench/large-model.mjs [runs]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const mode = process.argv[2];

async function child(kind) {
  const tf = await import('@tensorflow/tfjs');
  const { convertModel } = await import('../dist/index.js');
  await tf.setBackend('cpu');
  const input = tf.input({ shape: [32, 32, 32, 1], name: 'volume' });
  const conv = (x, filters, strides = 1) =>
    tf.layers.conv3d({ filters, kernelSize: 3, strides, padding: 'same', activation: 'relu' }).apply(x);
  const e1 = conv(input, 32);
  const e2 = conv(e1, 64, 2);
  const e3 = conv(e2, 128, 2);
  const b1 = conv(conv(e3, 256, 2), 256);
  const b2 = conv(conv(conv(b1, 256), 256), 256);
  const u3 = tf.layers
    .conv3dTranspose({ filters: 128, kernelSize: 2, strides: 2, padding: 'same' })
    .apply(b2);
  const d3 = conv(tf.layers.concatenate().apply([u3, e3]), 128);
  const u2 = tf.layers.conv3dTranspose({ filters: 64, kernelSize: 2, strides: 2, padding: 'same' }).apply(d3);
  const d2 = conv(tf.layers.concatenate().apply([u2, e2]), 64);
  const u1 = tf.layers.conv3dTranspose({ filters: 32, kernelSize: 2, strides: 2, padding: 'same' }).apply(d2);
  const d1 = conv(tf.layers.concatenate().apply([u1, e1]), 32);
  const out = tf.layers.conv3d({ filters: 4, kernelSize: 1, activation: 'softmax' }).apply(d1);
  const model = tf.model({ inputs: input, outputs: out, name: 'unet10m' });
  const rss0 = process.memoryUsage().rss;
  const peak0 = process.resourceUsage().maxRSS * 1024;
  const t0 = performance.now();
  let bytes = 0;
  if (kind === 'export') {
    bytes = convertModel(model).bytes.length;
  } else {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        bytes = artifacts.weightData.byteLength + JSON.stringify(artifacts.modelTopology).length;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  }
  const ms = performance.now() - t0;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ kind, ms, parameters: model.countParams(), bytes, rss0, peak0, peak }));
}

if (mode === 'export' || mode === 'save') {
  await child(mode);
} else {
  const runs = Number(mode ?? 5);
  const self = fileURLToPath(import.meta.url);
  const results = { export: [], save: [] };
  for (let i = 0; i < runs; i++) {
    for (const kind of ['export', 'save']) {
      const r = spawnSync(process.execPath, [self, kind], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      results[kind].push(JSON.parse(r.stdout.trim().split('\n').at(-1)));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const cpu =
    execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.*)/)?.[1] ?? cpus()[0]?.model;
  const { parameters } = results.export[0];
  const weights = 4 * parameters;
  const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `CPU ${cpu} × ${cpus().length}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `model: functional 3D U-Net, ${parameters} parameters (${mb(weights)} of float32 weights); ${runs} interleaved fresh-process runs each`,
  );
  for (const kind of ['export', 'save']) {
    const rs = results[kind];
    // Growth of the resident set over what the process held with the model built (its weights included).
    const growth = rs.map((r) => Math.max(r.peak, r.peak0) - r.rss0);
    console.log(
      `${kind === 'export' ? 'convertModel (ONNX bytes)' : 'tfjs model.save to memory (reference)'}: median ${median(rs.map((r) => r.ms)).toFixed(0)} ms, peak RSS median ${mb(median(rs.map((r) => r.peak)))}, growth over the built model median ${mb(median(growth))} = ${(median(growth) / weights).toFixed(2)} × the weights, output ${mb(rs[0].bytes)}`,
    );
  }
}
