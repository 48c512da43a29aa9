// The intensity step of a VolumePreparation, in place on a prepared volume, as MONAI's transforms compute it:
// ScaleIntensity (min-max to [0, 1]; a constant volume becomes zeros), NormalizeIntensity (z-score, population
// std, std 0 → 1; `nonzero` uses and changes only nonzero voxels), ScaleIntensityRange (a window, clipped or not).
import type { IntensitySpec } from '../task.js';

export function applyIntensity(data: Float32Array, spec: IntensitySpec): void {
  if (spec.kind === 'minmax') minmax(data);
  else if (spec.kind === 'zscore') zscore(data, spec.nonzero);
  else if (spec.kind === 'window') window(data, spec);
}

function minmax(data: Float32Array): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  for (let i = 0; i < data.length; i++) data[i] = range > 0 ? ((data[i] as number) - min) / range : 0;
}

function zscore(data: Float32Array, nonzero: boolean): void {
  let n = 0;
  let sum = 0;
  for (const v of data) {
    if (nonzero && v === 0) continue;
    n++;
    sum += v;
  }
  if (n === 0) return;
  const mean = sum / n;
  let squares = 0;
  for (const v of data) {
    if (nonzero && v === 0) continue;
    squares += (v - mean) ** 2;
  }
  const std = Math.sqrt(squares / n) || 1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!(nonzero && v === 0)) data[i] = (v - mean) / std;
  }
}

function window(data: Float32Array, w: Extract<IntensitySpec, { kind: 'window' }>): void {
  const span = w.aMax - w.aMin;
  const gain = w.bMax - w.bMin;
  const lo = Math.min(w.bMin, w.bMax);
  const hi = Math.max(w.bMin, w.bMax);
  for (let i = 0; i < data.length; i++) {
    const v = (((data[i] as number) - w.aMin) / span) * gain + w.bMin;
    data[i] = w.clip ? Math.min(Math.max(v, lo), hi) : v;
  }
}
