// One training step of a model at batch 100: our fast CPU backend against PyTorch CPU (Debian's
// /usr/bin/python3 with python3-torch) on the same machine, timed INTERLEAVED (ours, PyTorch,
// ours, PyTorch, ...: PyTorch runs as a step server in its own process, idle while we run), so
// load from other processes hits both alike. Reports the median of the per-pair ratios with their
// spread, the CPU model, both sides' instruction sets, the load average, and where our time goes
// (tf.profile, per kernel). Needs `npm run build` first (it imports dist/).
//
//   node bench/step.mjs [--model seed|issue14] [--batch 100] [--warmup 2] [--steps 7]
//                       [--no-torch] [--stock-cpu] [--epoch]
//
// --model issue14: the accuracy issue's config (width-24, five 3³ 'same' Conv + BatchNorm + ReLU
//   blocks, two max-pools, global average pooling, Dropout 0.3, Dense(10)) against its PyTorch twin.
// --stock-cpu: also times ONE step on tfjs's stock cpu backend (~40 s for the seed at batch 100).
// --epoch: also times one full seed epoch (8 000 train + 2 000 validation rows of the built
//   dataset, `npx turbo run dataset`) through train(), as the CLI runs it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { loadTrainConfig, parseTrainConfig } from '../dist/config.js';
import { useFastCpuBackend } from '../dist/fast-cpu/index.js';
import { buildModel } from '../dist/model.js';
import { SEED_CONFIG_PATH, train } from '../dist/train.js';
import {
  cpuModel,
  interleave,
  load,
  median,
  modelStepper,
  printProfile,
  torchStepper,
  uniform,
} from './interleaved.mjs';

const { values: opts } = parseArgs({
  options: {
    model: { type: 'string', default: 'seed' },
    batch: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '2' },
    steps: { type: 'string', default: '7' },
    'no-torch': { type: 'boolean', default: false },
    'stock-cpu': { type: 'boolean', default: false },
    epoch: { type: 'boolean', default: false },
  },
});
const batch = Number(opts.batch);
const warmup = Number(opts.warmup);
const steps = Number(opts.steps);
if (opts.model !== 'seed' && opts.model !== 'issue14') {
  console.error(`bench/step.mjs: --model must be seed or issue14, got '${opts.model}'`);
  process.exit(2);
}

const WIDTH = 24;
/** The issue-14 stack, as ISSUE14_PLAN in torch_step.py: b = Conv + BatchNorm + ReLU block, p = pool. */
const ISSUE14_PLAN = ['b', 'b', 'p', 'b', 'b', 'p', 'b'];

function issue14Config() {
  const layers = [];
  for (const item of ISSUE14_PLAN) {
    if (item === 'p') {
      layers.push({ className: 'MaxPooling3D', config: { poolSize: 2 } });
      continue;
    }
    const conv = {
      filters: WIDTH,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: 'he_uniform',
    };
    if (layers.length === 0) conv.inputShape = [16, 16, 16, 3];
    layers.push({ className: 'Conv3D', config: conv });
    layers.push({ className: 'BatchNormalization', config: {} });
    layers.push({ className: 'ReLU' });
  }
  layers.push(
    { className: 'GlobalAveragePooling3D' },
    { className: 'Dropout', config: { rate: 0.3 } },
    { className: 'Dense', config: { units: 10, activation: 'softmax' } },
  );
  return parseTrainConfig(
    {
      name: 'issue14-like',
      layers,
      loss: 'categorical_crossentropy',
      optimizer: { className: 'Adam', config: { learningRate: 0.001 } },
      batchSize: batch,
      epochs: 1,
      validationSplit: 0.2,
      seed: 1,
    },
    'bench issue14-like config',
  );
}

/** Our side: the model exactly as training builds it (fused Conv3D layer, fused Adam). */
function ourStepper() {
  const config = opts.model === 'seed' ? loadTrainConfig(SEED_CONFIG_PATH) : issue14Config();
  const model = buildModel(config);
  const x = tf.tensor5d(uniform(batch * 16 * 16 * 16 * 3, 7), [batch, 16, 16, 16, 3]);
  const labels = tf.tensor1d(
    Array.from(uniform(batch, 8), (v) => Math.floor(v * 10)),
    'int32',
  );
  const y = tf.oneHot(labels, 10).toFloat();
  labels.dispose();
  return modelStepper(model, x, y);
}

const info = await useFastCpuBackend();
console.log(`CPU: ${cpuModel()}; load average ${load()}`);
console.log(
  `model ${opts.model}, batch ${batch}, ${warmup} warm-up steps then ${steps} interleaved pairs; ours: backend ${info.backend}, kernels ${info.kernels}`,
);
if (info.fallbackReason) console.log(`  (${info.fallbackReason})`);
const ours = ourStepper();
const torch = opts['no-torch']
  ? undefined
  : await torchStepper(join(dirname(fileURLToPath(import.meta.url)), 'torch_step.py'), [
      '--model',
      opts.model,
      '--batch',
      String(batch),
    ]);
if (torch) {
  console.log(
    `PyTorch ${torch.info.torch}, ${torch.info.threads} threads, CPU capability ${torch.info.capability}`,
  );
}
const mine = await interleave(ours, torch, warmup, steps);
await printProfile(await ours.profile());
ours.dispose();

if (opts['stock-cpu']) {
  await tf.setBackend('cpu');
  const stock = ourStepper();
  const r = await stock.step();
  stock.dispose();
  console.log(
    `tfjs stock cpu: one step ${r.wall.toFixed(1)} s; speed-up ${(r.wall / median(mine.map((m) => m.wall))).toFixed(1)}x`,
  );
}

if (opts.epoch) {
  const outDir = mkdtempSync(join(tmpdir(), 'conv3d-epoch-'));
  try {
    const result = await train({ outDir, epochs: 1, progress: false, log: () => {}, backend: 'fast-cpu' });
    const run = result.run;
    console.log(
      `one full seed epoch (${run.dataset.trainRows} train + ${run.dataset.validationRows} validation rows): ${run.timings.epochSeconds[0].toFixed(2)} s; load average ${load()}`,
    );
    result.dispose();
  } catch (error) {
    console.log(`full-epoch timing unavailable: ${error.message.split('\n')[0]}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
