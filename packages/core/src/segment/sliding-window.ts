// Sliding-window inference over a volume larger (or smaller) than what a model takes at once: MONAI's
// sliding_window_inference (windows from windows.ts, importance-weighted sums divided by the summed weights, then
// cropped), with bounded memory. Windows are visited D-start by D-start, so once the scan passes a plane no later
// window covers it: that plane's labels are final and its sums are dropped. Only a band of roi[0] planes of K sums
// is ever held, never a K × D × H × W array, unless the caller asks for the probabilities themselves.
import type { Allocate } from '../input.js';
import { BLENDS, type Blend, importanceMap, planWindows, type Size3, type WindowPlan } from './windows.js';

/** Runs `count` windows ([count, rd, rh, rw, C] float32); resolves to their [count, rd, rh, rw, K] outputs. */
export type RunWindows = (input: Float32Array, count: number) => Promise<Float32Array>;

export interface SegmentProgress {
  /** Windows run so far. */
  windows: number;
  /** Windows in the whole scan. */
  total: number;
}

export interface SlidingWindowOptions {
  /** Window size [D, H, W]. */
  roi: Size3;
  /** Fraction of a window shared with the next along each axis, in [0, 1) (MONAI's default: 0.25). */
  overlap?: number;
  /** Default 'gaussian' (MONAI's default is 'constant'; Gaussian is what deployments use). */
  blend?: Blend;
  /** Windows per model run (default 4). Results do not depend on it. */
  batch?: number;
  /** Also return the blended per-voxel outputs [D, H, W, K] (a K × volume float32 array). */
  probabilities?: boolean;
  /** Called after every model run. */
  onProgress?: (progress: SegmentProgress) => void;
  /** Aborting rejects with the signal's reason before the next model run. */
  signal?: AbortSignal;
  /** Provides every large float32 buffer (the band, the window batch, the probabilities): tests count them. */
  allocate?: Allocate;
}

export interface SlidingWindowResult {
  /** Per-voxel argmax, [D, H, W] row-major: Uint8Array for K ≤ 256 classes, else Uint16Array. */
  labels: Uint8Array | Uint16Array;
  /** The blended model outputs, [D, H, W, K], when asked for. */
  probabilities?: Float32Array;
  /** Windows run. */
  windows: number;
}

export const DEFAULT_OVERLAP = 0.25;
export const DEFAULT_BATCH = 4;

/**
 * Runs `run` over windows of `volume` ([D, H, W, C] float32, already preprocessed: the model's input space) and
 * blends the K-class outputs. The visiting order and the per-voxel summation order are fixed by the window plan
 * alone, so `batch` changes nothing but how many windows share a model run.
 */
export async function slidingWindow(
  volume: Float32Array,
  size: Size3,
  channels: number,
  classes: number,
  run: RunWindows,
  options: SlidingWindowOptions,
): Promise<SlidingWindowResult> {
  const { roi, overlap = DEFAULT_OVERLAP, blend = 'gaussian', batch = DEFAULT_BATCH } = options;
  checkOptions(roi, overlap, blend, batch);
  const allocate = options.allocate ?? ((n: number) => new Float32Array(n));
  const plan = planWindows(size, roi, overlap);
  const [d, h, w] = size;
  const voxels = d * h * w;
  const labels = classes <= 256 ? new Uint8Array(voxels) : new Uint16Array(voxels);
  const windowValues = roi[0] * roi[1] * roi[2];
  const outLength = (count: number) => count * windowValues * classes;
  const call = async (input: Float32Array, count: number): Promise<Float32Array> => {
    options.signal?.throwIfAborted();
    const out = await run(input, count);
    if (out.length !== outLength(count)) {
      throw new RangeError(
        `segment: the model returned ${out.length} values for ${count} windows of [${roi.join(', ')}]; expected ${outLength(count)} (${classes} per voxel)`,
      );
    }
    return out;
  };

  // One window exactly on the volume (a free-size model given the whole volume): its output is the answer.
  if (plan.count === 1 && plan.padded.every((p, i) => p === size[i])) {
    const out = await call(volume, 1);
    options.onProgress?.({ windows: 1, total: 1 });
    for (let v = 0; v < voxels; v++) labels[v] = argmax(out, v * classes, classes);
    return { labels, ...(options.probabilities && { probabilities: out }), windows: 1 };
  }

  const band = new Band(
    plan,
    classes,
    allocate,
    labels,
    options.probabilities ? allocate(voxels * classes) : undefined,
  );
  const weights = importanceMap(roi, blend);
  const windowInput = windowValues * channels;
  const input = allocate(Math.min(batch, plan.count) * windowInput);
  const [, n1, n2] = plan.starts.map((s) => s.length) as [number, number, number];
  const start = (i: number): Size3 => [
    plan.starts[0][Math.floor(i / (n1 * n2))] as number,
    plan.starts[1][Math.floor(i / n2) % n1] as number,
    plan.starts[2][i % n2] as number,
  ];
  for (let first = 0; first < plan.count; first += batch) {
    const count = Math.min(batch, plan.count - first);
    for (let j = 0; j < count; j++) {
      extractWindow(volume, plan, channels, start(first + j), input, j * windowInput);
    }
    const out = await call(
      count === input.length / windowInput ? input : input.subarray(0, count * windowInput),
      count,
    );
    for (let j = 0; j < count; j++) band.add(out, j * windowValues * classes, start(first + j), weights);
    options.onProgress?.({ windows: first + count, total: plan.count });
  }
  band.finishUpTo(plan.padded[0]);
  return { labels, ...(band.probabilities && { probabilities: band.probabilities }), windows: plan.count };
}

/** Throws a one-line RangeError naming the option at fault. */
function checkOptions(roi: Size3, overlap: number, blend: Blend, batch: number): void {
  if (!Array.isArray(roi) || roi.length !== 3 || !roi.every((r) => Number.isInteger(r) && r > 0)) {
    throw new RangeError(`segment: roi must be [D, H, W], 3 positive integers, got ${JSON.stringify(roi)}`);
  }
  if (typeof overlap !== 'number' || !(overlap >= 0 && overlap < 1)) {
    throw new RangeError(`segment: overlap must be a number in [0, 1), got ${String(overlap)}`);
  }
  if (!BLENDS.includes(blend)) {
    throw new RangeError(`segment: blend must be one of ${BLENDS.join(', ')}, got ${String(blend)}`);
  }
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`segment: batch must be a positive integer, got ${String(batch)}`);
  }
}

/** The first index of the largest of `classes` values at `at` (torch.argmax's choice at ties). */
function argmax(values: Float32Array, at: number, classes: number): number {
  let best = 0;
  let max = values[at] as number;
  for (let k = 1; k < classes; k++) {
    const v = values[at + k] as number;
    if (v > max) {
      max = v;
      best = k;
    }
  }
  return best;
}

/** Copies window `at` (padded coordinates) of the volume into `out` at `offset`; outside the volume is 0. */
function extractWindow(
  volume: Float32Array,
  plan: WindowPlan,
  channels: number,
  at: Size3,
  out: Float32Array,
  offset: number,
): void {
  const [d, h, w] = plan.size;
  const [rd, rh, rw] = plan.roi;
  const [pd, ph, pw] = plan.padBefore;
  // The window's x range that falls inside the volume.
  const x0 = Math.max(0, pw - at[2]);
  const x1 = Math.min(rw, w + pw - at[2]);
  let o = offset;
  for (let z = 0; z < rd; z++) {
    const vz = at[0] + z - pd;
    for (let y = 0; y < rh; y++, o += rw * channels) {
      const vy = at[1] + y - ph;
      if (vz < 0 || vz >= d || vy < 0 || vy >= h || x1 <= x0) {
        out.fill(0, o, o + rw * channels);
        continue;
      }
      out.fill(0, o, o + x0 * channels);
      const src = ((vz * h + vy) * w + at[2] + x0 - pw) * channels;
      out.set(volume.subarray(src, src + (x1 - x0) * channels), o + x0 * channels);
      out.fill(0, o + x1 * channels, o + rw * channels);
    }
  }
}

/**
 * The weighted sums and weights of the padded planes still covered by windows to come: a ring of roi[0] planes
 * (plane p at slot p mod roi[0]), enough because window D-starts only grow and a window spans roi[0] planes.
 */
class Band {
  readonly #plan: WindowPlan;
  readonly #classes: number;
  readonly #sums: Float32Array;
  readonly #weights: Float32Array;
  readonly #planeVoxels: number;
  readonly #labels: Uint8Array | Uint16Array;
  /** The next padded plane not yet finished. */
  #next = 0;

  constructor(
    plan: WindowPlan,
    classes: number,
    allocate: Allocate,
    labels: Uint8Array | Uint16Array,
    readonly probabilities: Float32Array | undefined,
  ) {
    this.#plan = plan;
    this.#classes = classes;
    this.#planeVoxels = plan.padded[1] * plan.padded[2];
    const slots = plan.roi[0] * this.#planeVoxels;
    this.#sums = allocate(slots * classes).fill(0);
    this.#weights = allocate(slots).fill(0);
    this.#labels = labels;
  }

  /** Adds one window's output (at `offset` of `out`), weighted by `weights`, at padded start `at`. */
  add(out: Float32Array, offset: number, at: Size3, weights: Float32Array): void {
    this.finishUpTo(at[0]);
    const [rd, rh, rw] = this.#plan.roi;
    const pw = this.#plan.padded[2];
    const k = this.#classes;
    const sums = this.#sums;
    const counts = this.#weights;
    let o = offset;
    let wi = 0;
    for (let z = 0; z < rd; z++) {
      const slot = ((at[0] + z) % rd) * this.#planeVoxels;
      for (let y = 0; y < rh; y++) {
        const row = slot + (at[1] + y) * pw + at[2];
        for (let x = 0; x < rw; x++) {
          const weight = weights[wi++] as number;
          const v = row + x;
          counts[v] = (counts[v] as number) + weight;
          const s = v * k;
          for (let c = 0; c < k; c++, o++)
            sums[s + c] = (sums[s + c] as number) + weight * (out[o] as number);
        }
      }
    }
  }

  /** Finishes every padded plane before `plane`: labels (and probabilities) out, its slot cleared. */
  finishUpTo(plane: number): void {
    const [d, h, w] = this.#plan.size;
    const [pd, ph, pwBefore] = this.#plan.padBefore;
    const [rd] = this.#plan.roi;
    const pw = this.#plan.padded[2];
    const k = this.#classes;
    for (; this.#next < plane; this.#next++) {
      const slot = (this.#next % rd) * this.#planeVoxels;
      const z = this.#next - pd;
      if (z >= 0 && z < d) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const v = slot + (y + ph) * pw + x + pwBefore;
            const voxel = (z * h + y) * w + x;
            // Dividing by the (positive) weight keeps the order: argmax reads the sums.
            this.#labels[voxel] = argmax(this.#sums, v * k, k);
            const probabilities = this.probabilities;
            if (probabilities !== undefined) {
              const weight = this.#weights[v] as number;
              for (let c = 0; c < k; c++)
                probabilities[voxel * k + c] = (this.#sums[v * k + c] as number) / weight;
            }
          }
        }
      }
      this.#sums.fill(0, slot * k, (slot + this.#planeVoxels) * k);
      this.#weights.fill(0, slot, slot + this.#planeVoxels);
    }
  }
}
