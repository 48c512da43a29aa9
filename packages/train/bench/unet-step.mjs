// One training step of a 3-level 3D U-Net (batch 8 of 1×32³ patches; 16/32/64 channels; per level
// two 'same' 3³ Conv3D + BatchNormalization + ReLU; MaxPooling3D 2 down, Conv3DTranspose kernel 2
// stride 2 up, Concatenate skips along channels; a final 1³ Conv3D to K classes), built in code
// with tfjs's functional API on our fast CPU backend, against the same U-Net in PyTorch
// (torch_unet_step.py), timed interleaved as bench/step.mjs does. Loss: soft Dice + per-voxel
// cross-entropy on integer labels (MONAI's DiceCELoss defaults), Adam 1e-3. Needs `npm run build`.
//
//   node bench/unet-step.mjs [--batch 8] [--size 32] [--classes 4] [--warmup 2] [--steps 7] [--no-torch]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { fuseBatchNormRelu } from '../dist/fast-cpu/batch-norm-layer.js';
import { BatchNormalization, Conv3D, fastAdam, ReLU, useFastCpuBackend } from '../dist/fast-cpu/index.js';
import {
  cpuModel,
  interleave,
  load,
  modelStepper,
  printProfile,
  torchStepper,
  uniform,
} from './interleaved.mjs';

const { values: opts } = parseArgs({
  options: {
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: '32' },
    classes: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '2' },
    steps: { type: 'string', default: '7' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const batch = Number(opts.batch);
const size = Number(opts.size);
const classes = Number(opts.classes);
const LEVELS = [16, 32, 64];

/** Two 'same' 3³ Conv3D (no bias: BatchNormalization follows) + BatchNormalization + ReLU. */
function block(x, filters) {
  let y = x;
  for (let i = 0; i < 2; i++) {
    y = new Conv3D({ filters, kernelSize: 3, padding: 'same', useBias: false }).apply(y);
    y = new BatchNormalization({}).apply(y);
    y = new ReLU({}).apply(y);
  }
  return y;
}

/** The U-Net, as torch_unet_step.py's UNet: the transposed convolutions keep their input's channels. */
function unet() {
  const input = tf.input({ shape: [size, size, size, 1] });
  const skips = [];
  let x = input;
  LEVELS.forEach((filters, level) => {
    x = block(x, filters);
    if (level < LEVELS.length - 1) {
      skips.push(x);
      x = tf.layers.maxPooling3d({ poolSize: 2 }).apply(x);
    }
  });
  for (let level = LEVELS.length - 2; level >= 0; level--) {
    const channels = x.shape[4];
    x = tf.layers.conv3dTranspose({ filters: channels, kernelSize: 2, strides: 2, padding: 'same' }).apply(x);
    x = tf.layers.concatenate({ axis: -1 }).apply([x, skips[level]]);
    x = block(x, LEVELS[level]);
  }
  const logits = new Conv3D({ filters: classes, kernelSize: 1 }).apply(x);
  return tf.model({ inputs: input, outputs: logits });
}

/**
 * MONAI's DiceCELoss(to_onehot_y=True, softmax=True) with its defaults, as tf ops on the logits:
 * mean over samples and classes of 1 - (2·Σ p·t + 1e-5) / (Σ p + Σ t + 1e-5) over each sample's
 * voxels, plus the mean per-voxel cross-entropy. `target` is the one-hot of the integer labels.
 * It stays here rather than using the library's (src/tasks/segmentation-losses.ts, integer labels inside the
 * segmentation task's own step): this bench times a Keras-style compiled step on one-hot targets, as
 * torch_unet_step.py does on its side; the library's loss is checked against PyTorch in its own tests.
 */
function diceCE(target, logits) {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits, -1);
    const ce = tf.neg(tf.mean(tf.sum(tf.mul(target, logp), -1)));
    const p = tf.exp(logp);
    const spatial = [1, 2, 3];
    const intersection = tf.sum(tf.mul(p, target), spatial);
    const denominator = tf.add(tf.sum(p, spatial), tf.sum(target, spatial));
    const dice = tf.sub(1, tf.div(tf.add(tf.mul(intersection, 2), 1e-5), tf.add(denominator, 1e-5)));
    return tf.add(tf.mean(dice), ce);
  });
}

function ourStepper() {
  const model = unet();
  fuseBatchNormRelu(model);
  model.compile({ optimizer: fastAdam(1e-3, 0.9, 0.999, 1e-7), loss: diceCE });
  const voxels = batch * size ** 3;
  const x = tf.tensor5d(uniform(voxels, 7), [batch, size, size, size, 1]);
  const labels = tf.tensor1d(
    Array.from(uniform(voxels, 8), (v) => Math.floor(v * classes)),
    'int32',
  );
  const y = tf.tidy(() => tf.oneHot(labels, classes).toFloat().reshape([batch, size, size, size, classes]));
  labels.dispose();
  return modelStepper(model, x, y);
}

const info = await useFastCpuBackend();
console.log(`CPU: ${cpuModel()}; load average ${load()}`);
const ours = ourStepper();
console.log(
  `U-Net ${LEVELS.join('/')}, batch ${batch} of 1×${size}³, ${classes} classes, ${ours.parameters} parameters; ${opts.warmup} warm-up steps then ${opts.steps} interleaved pairs; ours: backend ${info.backend}, kernels ${info.kernels}`,
);
if (info.fallbackReason) console.log(`  (${info.fallbackReason})`);
const torch = opts['no-torch']
  ? undefined
  : await torchStepper(join(dirname(fileURLToPath(import.meta.url)), 'torch_unet_step.py'), [
      '--batch',
      String(batch),
      '--size',
      String(size),
      '--classes',
      String(classes),
    ]);
if (torch) {
  console.log(
    `PyTorch ${torch.info.torch}, ${torch.info.threads} threads, CPU capability ${torch.info.capability}, ${torch.info.parameters} parameters`,
  );
}
await interleave(ours, torch, Number(opts.warmup), Number(opts.steps));
await printProfile(await ours.profile(), 25);
ours.dispose();
