// A run's contract and layer shapes come from its data: the shapes fixture (12×10×8, 1 channel, 4 named classes)
// against 3D MNIST.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEED_CONTRACT } from '@conv3d/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/args.js';
import { defaultPreprocessing, fitConfigToContract, runContract } from '../src/data-contract.js';
import { ConfigError, loadTrainConfig, parseTrainConfig, SEED_CONFIG_PATH } from '../src/index.js';
import { train } from '../src/train.js';

const SHAPES = fileURLToPath(new URL('../../data/fixtures/shapes/shapes-12x10x8.h5', import.meta.url));
const SHAPES_CONFIG = fileURLToPath(new URL('../configs/shapes-small.json', import.meta.url));
const SHAPES_DATA = {
  grid: [12, 10, 8] as const,
  rawChannels: 1,
  labels: ['sphere', 'cube', 'torus', 'rod'],
};
const out = join(tmpdir(), `conv3d-shapes-run-${process.pid}`);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the run contract', () => {
  it('defaults to oranges-rgb for 3D MNIST at any cube grid, minmax for anything else', () => {
    expect(defaultPreprocessing(SEED_CONTRACT)).toBe('oranges-rgb');
    expect(defaultPreprocessing({ ...SEED_CONTRACT, grid: [32, 32, 32] })).toBe('oranges-rgb');
    expect(defaultPreprocessing(SHAPES_DATA)).toBe('minmax');
    expect(defaultPreprocessing({ ...SEED_CONTRACT, grid: [16, 16, 8] })).toBe('minmax');
    expect(defaultPreprocessing({ ...SEED_CONTRACT, labels: ['a', ...SEED_CONTRACT.labels.slice(1)] })).toBe(
      'minmax',
    );
    const seed = runContract(SEED_CONTRACT, undefined, 'x');
    expect(seed.inputShape).toEqual(SEED_CONTRACT.inputShape);
    expect(runContract(SHAPES_DATA, undefined, 'x').inputShape).toEqual([12, 10, 8, 1]);
    expect(runContract(SHAPES_DATA, 'none', 'x').preprocessing).toBe('none');
    // Scans packed with a preparation: the model's contract records it (version 3), so inference prepares alike.
    const preparation = { orientation: 'LIA', intensity: { kind: 'zscore', nonzero: true } } as const;
    const prepared = runContract({ ...SHAPES_DATA, preparation }, undefined, 'x');
    expect([prepared.preparation, prepared.version]).toEqual([preparation, 3]);
    expect(runContract(SHAPES_DATA, undefined, 'x').preparation).toBeUndefined();
    // oranges-rgb maps one channel to three; it does not fit 2-channel data.
    expect(() => runContract({ ...SHAPES_DATA, rawChannels: 2 }, 'oranges-rgb', 'cfg.json')).toThrow(
      ConfigError,
    );
  });

  it('a config names a registered preprocessing or fails on one line', () => {
    const raw = JSON.parse(readFileSync(SHAPES_CONFIG, 'utf8'));
    expect(parseTrainConfig({ ...raw, preprocessing: 'none' }, 'c.json').preprocessing).toBe('none');
    expect(() => parseTrainConfig({ ...raw, preprocessing: 'jet' }, 'c.json')).toThrow(
      /^c\.json: 'preprocessing' must be a registered preprocessing \(.*minmax.*\), got "jet"$/,
    );
  });

  it('fills the first inputShape and the last units from the data, and checks given ones', () => {
    const config = loadTrainConfig(SHAPES_CONFIG);
    const contract = runContract(SHAPES_DATA, undefined, SHAPES_CONFIG);
    const fitted = fitConfigToContract(config, contract, 'shapes.h5');
    expect(fitted.layers[0]?.config.inputShape).toEqual([12, 10, 8, 1]);
    expect(fitted.layers.at(-1)?.config.units).toBe(4);
    expect(fitted.layers[3]?.config.units).toBe(32);
    expect(config.layers[0]?.config.inputShape).toBeUndefined();
    const seed = loadTrainConfig(SEED_CONFIG_PATH);
    expect(() => fitConfigToContract(seed, contract, 'shapes.h5')).toThrow(
      "seed: layers[0] (Conv3D): 'inputShape' is [16,16,16,3], but shapes.h5 gives [12,10,8,1] (grid 12×10×8, 1 raw channel(s), 'minmax' → 1)",
    );
    const noShape = { ...seed, layers: seed.layers.map((l, i) => (i === 0 ? { ...l, config: {} } : l)) };
    noShape.layers[0] = { className: 'Conv3D', config: { filters: 32, kernelSize: 3 } };
    expect(() => fitConfigToContract(noShape, contract, 'shapes.h5')).toThrow(
      "seed: layers[6] (Dense): 'units' is 10, but shapes.h5 has 4 classes (sphere, cube, torus, rod)",
    );
  });

  it('only the last Dense may leave out units', () => {
    const raw = JSON.parse(readFileSync(SHAPES_CONFIG, 'utf8'));
    raw.layers[3].config = { activation: 'relu' };
    expect(() => parseTrainConfig(raw, 'c.json')).toThrow(
      "c.json: layers[3] (Dense): missing required key 'units' (only the last Dense takes it from the data)",
    );
  });
});

describe('conv3d-train reads --data with the reader flags', () => {
  it('passes --grid, --labels and dataset names to the reader; bad values are usage errors', () => {
    const args = parseArgs(
      ['--data', 'v.h5', '--grid', '12,10,8', '--labels', 'a,b', '--x-train', 'train/x', '--y-test', 'yt'],
      {},
    );
    expect(args.dataOptions).toEqual({
      grid: [12, 10, 8],
      labels: ['a', 'b'],
      names: { xTrain: 'train/x', yTest: 'yt' },
    });
    expect(parseArgs([], {}).dataOptions).toEqual({});
    expect(() => parseArgs(['--grid', '12,10'], {})).toThrow(
      "--grid must be D,H,W or D,H,W,C (positive integers), got '12,10'",
    );
  });
});

describe('training on the shapes fixture', () => {
  it('learns its 4 classes (seeded, 8 epochs) and carries their names into the contract and the report', async () => {
    const result = await train({
      config: SHAPES_CONFIG,
      data: SHAPES,
      outDir: out,
      progress: false,
      log: () => {},
    });
    try {
      // Chance is 25 %; 8 epochs of this small CNN reach 80-90 %.
      expect(result.test.accuracy).toBeGreaterThan(0.7);
      expect(result.test.count).toBe(200);
      expect(result.test.confusion).toHaveLength(4);
      expect(result.run.contract.labels).toEqual(SHAPES_DATA.labels);
      expect(result.run.contract.preprocessing).toBe('minmax');
      const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
      const meta = model.userDefinedMetadata.conv3d;
      expect(JSON.parse(meta['conv3d.labels'])).toEqual(SHAPES_DATA.labels);
      expect(JSON.parse(meta['conv3d.grid'])).toEqual([12, 10, 8]);
      expect(JSON.parse(meta['conv3d.input_shape'])).toEqual([12, 10, 8, 1]);
      expect(Number(meta['conv3d.test_accuracy'])).toBe(result.test.accuracy);
      const report = readFileSync(join(out, 'report.html'), 'utf8');
      for (const label of SHAPES_DATA.labels) expect(report).toContain(`<th>${label}</th>`);
    } finally {
      result.dispose();
    }
  });
});
