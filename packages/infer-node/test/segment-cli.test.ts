// conv3d-predict with a segmentation model: Dice per class and mean against numpy (the fixture's float64 forward
// pass, scored by a numpy Dice), and --out's label volumes read back with h5py.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPredict } from '../src/predict-command.js';
import { fixture } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'conv3d-predict-seg-'));
const data = join(dir, 'seg.h5');
const script = fileURLToPath(new URL('../scripts/make-seg-model.py', import.meta.url));
let reference: { dice: number[][]; per_class: number[]; labels: number[][] };

beforeAll(() => {
  // Three 9×11×13 volumes; the truth is numpy's prediction with some voxels relabelled, so Dice is not 1.
  const out = execFileSync('/usr/bin/python3', [
    '-c',
    `import h5py, json, sys, importlib.util, numpy as np
spec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
rng = np.random.default_rng(5)
x = (rng.integers(0, 17, (3, 9, 11, 13)) / 16).astype(np.float32)
pred = np.stack([m.forward(v).argmax(-1) for v in x])
truth = pred.copy()
flip = rng.random(truth.shape) < 0.2
truth[flip] = rng.integers(0, 3, flip.sum())
dice = []
for p, t in zip(pred, truth):
    row = []
    for c in range(3):
        total = (p == c).sum() + (t == c).sum()
        row.append(float("nan") if total == 0 else 2 * ((p == c) & (t == c)).sum() / total)
    dice.append(row)
with h5py.File(sys.argv[2], "w") as f:
    f["X_train"], f["y_train"] = x[:1], truth[:1].astype(np.uint8)
    f["X_test"], f["y_test"] = x, truth.astype(np.uint8)
    f.attrs["labels"] = ["background", "sphere", "cube"]
print(json.dumps({"dice": dice, "per_class": np.nanmean(np.array(dice), axis=0).tolist(), "labels": pred.reshape(3, -1).tolist()}))`,
    script,
    data,
  ]);
  reference = JSON.parse(out.toString());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; lines: string[]; err: string }> {
  const lines: string[] = [];
  let err = '';
  const code = await runPredict(argv, {
    log: (line: string) => lines.push(line),
    error: (line: string) => {
      err += `${line}\n`;
    },
  });
  return { code, lines, err };
}

describe('conv3d-predict with a segmentation model', () => {
  it('prints per-volume, per-class and mean Dice as numpy computes them, and writes the label volumes', async () => {
    const out = join(dir, 'pred.h5');
    const { code, lines, err } = await run(fixture('seg-free.onnx'), data, '--device', 'cpu', '--out', out);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(lines[0]).toBe('labels (3): background, sphere, cube');
    const f = (d: number) => d.toFixed(4);
    const [b, s, c] = reference.per_class as [number, number, number];
    expect(lines[1]).toBe(
      `test[0] Dice background ${f(reference.dice[0]?.[0] as number)}, sphere ${f(reference.dice[0]?.[1] as number)}, cube ${f(reference.dice[0]?.[2] as number)} (1 windows)`,
    );
    expect(lines[4]).toBe(
      `per class Dice: background ${f(b)} (3 volumes), sphere ${f(s)} (3 volumes), cube ${f(c)} (3 volumes)`,
    );
    expect(lines[5]).toMatch(
      new RegExp(
        `^mean Dice ${f((s + c) / 2)} over sphere, cube \\(${f((b + s + c) / 3)} with background\\) on 3 test volumes; provider cpu; 3 windows, [\\d.]+ volumes/s$`,
      ),
    );
    expect(lines[6]).toBe(`wrote ${out}: y_pred_test (3, 9, 11, 13) uint8`);
    const written = execFileSync('/usr/bin/python3', [
      '-c',
      `import h5py, json, sys
with h5py.File(sys.argv[1]) as f:
    d = f["y_pred_test"]
    print(json.dumps({"dtype": str(d.dtype), "shape": d.shape, "labels": d[:].reshape(3, -1).tolist(), "names": json.loads(d.attrs["labels"])}))`,
      out,
    ]);
    const back = JSON.parse(written.toString());
    expect(back).toMatchObject({
      dtype: 'uint8',
      shape: [3, 9, 11, 13],
      names: ['background', 'sphere', 'cube'],
    });
    expect(back.labels).toEqual(reference.labels);
  });

  it('slides windows with a fixed-size model, and refuses classifier-only flags for classifiers', async () => {
    const windowed = await run(
      fixture('seg-fixed.onnx'),
      data,
      '--device',
      'cpu',
      '--overlap',
      '0.5',
      '--limit',
      '1',
    );
    expect(windowed.code).toBe(0);
    expect(windowed.lines[1]).toMatch(/^test\[0\] Dice background [01]\.\d{4}, sphere .* \(8 windows\)$/);
    const bad = await run(fixture('tiny.onnx'), data, '--out', join(dir, 'x.h5'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--out, --roi, --overlap and --blend are for segmentation models/);
    const roi = await run(fixture('seg-fixed.onnx'), data, '--roi', '4,4,4');
    expect(roi.code).toBe(1);
    expect(roi.err).toMatch(
      /roi \[4, 4, 4\] does not fit the model: its graph takes its training patch \[6, 8, 10\] only/,
    );
  });
});
