// @conv3d/train/layers and /model-io are for tools that only read models (the exporter, the parity suite): they
// must not register a training backend or load the native addon. Checked in a fresh process, by the built package.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

function run(script: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: pkg, encoding: 'utf8' });
}

const PROBE = `
import { readFileSync } from 'node:fs';
const tf = await import('@tensorflow/tfjs');
const maps = readFileSync('/proc/self/maps', 'utf8');
console.log(JSON.stringify({
  backends: Object.keys(tf.engine().registryFactory).sort(),
  addon: maps.includes('.node'),
  layer: tf.serialization.SerializationMap.getMap().classNameMap.GlobalAveragePooling3D !== undefined,
}));`;

test('importing /layers and /model-io registers the layers, no backend, no native addon', () => {
  const r = run(`await import('@conv3d/train/model-io'); await import('@conv3d/train/layers');${PROBE}`);
  expect(r.stderr).toBe('');
  // 'cpu' is what @tensorflow/tfjs itself registers in Node.
  expect(JSON.parse(r.stdout)).toEqual({ backends: ['cpu'], addon: false, layer: true });
});

test('the probe sees a backend when one is selected (positive control)', () => {
  const r = run(
    `const { selectBackend } = await import('@conv3d/train'); await selectBackend('fast-cpu');${PROBE}`,
  );
  const seen = JSON.parse(r.stdout) as { backends: string[] };
  expect(seen.backends.length).toBeGreaterThan(1);
});
