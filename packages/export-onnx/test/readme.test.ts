import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { coverage } from '../src/coverage.js';
import { withSupportedLayers } from '../src/docs.js';

it('the README coverage table is the one generated from tfjs’s class registry (npm run docs)', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toBe(withSupportedLayers(readme));
});

it('the table has a row for each of tfjs 4.22’s 61 layer classes, our 3D layers and the 16 activations', () => {
  const { tfjsLayers, projectLayers, activations } = coverage();
  expect(tf.version_layers).toBe('4.22.0');
  expect(tfjsLayers).toHaveLength(61);
  expect(projectLayers.map((r) => r.className).sort()).toEqual([
    'Cropping3D',
    'GlobalAveragePooling3D',
    'UpSampling3D',
    'ZeroPadding3D',
  ]);
  expect(activations).toHaveLength(16);
  expect(activations.filter((a) => !a.converted)).toEqual([]);
  expect(projectLayers.filter((r) => !r.converted)).toEqual([]);
});

it('the README shows the custom-layer example exactly as tested (examples/custom-layer.ts)', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const example = await readFile(new URL('../examples/custom-layer.ts', import.meta.url), 'utf8');
  expect(readme).toContain(example.trimEnd());
});
