// Writes the width study's variants of configs/best-resnet.json (same schedule, copies and callbacks; other stage
// widths and block counts) to a folder, for bench/config-step.mjs (step time) and short conv3d-train runs
// (`--epochs 5`, val_accuracy). It first checks that its own builder reproduces the shipped graph exactly.
//
//   node bench/resnet-variants.mjs [--out /tmp/resnet-variants]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { BEST_CONFIG_PATH } from '../dist/index.js';

const { values: opts } = parseArgs({ options: { out: { type: 'string', default: '/tmp/resnet-variants' } } });
const shipped = JSON.parse(readFileSync(BEST_CONFIG_PATH, 'utf8'));

const conv = (name, filters, inputs) => ({
  name,
  className: 'Conv3D',
  config: { filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'he_uniform' },
  ...(inputs ? { inputs } : {}),
});
const bn = (name) => ({ name, className: 'BatchNormalization', config: { momentum: 0.9, epsilon: 1e-5 } });
const relu = (name) => ({ name, className: 'ReLU' });
const convBnRelu = (p, f) => [conv(`${p}_conv`, f), bn(`${p}_bn`), relu(`${p}_relu`)];
const residual = (p, f, from) => [
  conv(`${p}_conv1`, f, [from]),
  bn(`${p}_bn1`),
  relu(`${p}_relu1`),
  conv(`${p}_conv2`, f),
  bn(`${p}_bn2`),
  { name: `${p}_add`, className: 'Add', inputs: [`${p}_bn2`, from] },
  relu(`${p}_out`),
];

/** stem: widths of the plain 16³ convs; stages: [width, residual blocks] at 8³, 4³, … (a pool before each). */
function graph(stem, stages) {
  const layers = stem.flatMap((f, i) => convBnRelu(`stem${i + 1}`, f));
  stages.forEach(([width, blocks], s) => {
    const level = s + 2;
    layers.push({ name: `pool${s + 1}`, className: 'MaxPooling3D', config: { poolSize: 2 } });
    layers.push(...convBnRelu(`widen${level}`, width));
    let from = `widen${level}_relu`;
    for (let b = 0; b < blocks; b++) {
      const p = `res${level}${'abcdefgh'[b]}`;
      layers.push(...residual(p, width, from));
      from = `${p}_out`;
    }
  });
  layers.push({ name: 'gap', className: 'GlobalAveragePooling3D' });
  layers.push({
    name: 'probs',
    className: 'Dense',
    config: { units: 10, activation: 'softmax', kernelInitializer: 'glorot_uniform' },
  });
  return { inputs: ['voxels'], layers, outputs: ['probs'] };
}

const SHIPPED = {
  stem: [24, 24],
  stages: [
    [32, 1],
    [64, 2],
  ],
};
if (!isDeepStrictEqual(graph(SHIPPED.stem, SHIPPED.stages), shipped.graph)) {
  throw new Error(`resnet-variants: the builder no longer reproduces ${BEST_CONFIG_PATH}'s graph`);
}
const variants = {
  'stem24x2-32x1-64x1': {
    stem: [24, 24],
    stages: [
      [32, 1],
      [64, 1],
    ],
  },
  'stem24x2-32x1-64x2': SHIPPED,
  'stem24x2-40x1-80x1': {
    stem: [24, 24],
    stages: [
      [40, 1],
      [80, 1],
    ],
  },
  'stem24x2-48x1-96x1': {
    stem: [24, 24],
    stages: [
      [48, 1],
      [96, 1],
    ],
  },
  'stem24x2-48x2-96x2': {
    stem: [24, 24],
    stages: [
      [48, 2],
      [96, 2],
    ],
  },
  'stem24-48x1-96x1': {
    stem: [24],
    stages: [
      [48, 1],
      [96, 1],
    ],
  },
  'stem16x2-48x1-96x1': {
    stem: [16, 16],
    stages: [
      [48, 1],
      [96, 1],
    ],
  },
  'stem32-64x1-128x1': {
    stem: [32],
    stages: [
      [64, 1],
      [128, 1],
    ],
  },
};
mkdirSync(opts.out, { recursive: true });
for (const [name, v] of Object.entries(variants)) {
  const path = join(opts.out, `${name}.json`);
  writeFileSync(path, `${JSON.stringify({ ...shipped, name, graph: graph(v.stem, v.stages) }, null, 2)}\n`);
  console.log(path);
}
