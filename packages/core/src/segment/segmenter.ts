// Segmenting a volume with a segmenter's contract: the volume checked and preprocessed once, as a whole (a
// segmenter's sample is the volume, not a window), the window size chosen from the contract, then slidingWindow.
// openSegmenter is the classifier lifecycle's counterpart over the same ModelSession; runtimes that run windows
// elsewhere (a worker pool) call segmentVolume with their own RunWindows.
import { ContractError, METADATA_KEYS, type ModelContract } from '../contract.js';
import { InputError } from '../input.js';
import { ModelSession, type OpenModelOptions, openModel } from '../lifecycle.js';
import { findPreprocessing } from '../preprocessing/registry.js';
import { type RunWindows, type SlidingWindowOptions, slidingWindow } from './sliding-window.js';
import type { Size3 } from './windows.js';

/** A volume as stored: row-major over D, H, W (and C, channels fastest), `dims` [D, H, W] or [D, H, W, C]. */
export interface Volume {
  data: Float32Array | Float64Array;
  dims: readonly number[];
}

export interface SegmentOptions extends Omit<SlidingWindowOptions, 'roi' | 'probabilities' | 'allocate'> {
  /**
   * Window size [D, H, W]. A fixed-size model takes its training patch only (the default); a free-size model runs
   * the whole volume at once by default, or windows of `roi` when given.
   */
  roi?: Size3;
  /** 'labels' (default): the label map only. 'probabilities': the blended per-voxel outputs too. */
  output?: 'labels' | 'probabilities';
}

export interface Segmentation {
  /** [D, H, W] of the volume (and of the label map). */
  dims: Size3;
  /** Per-voxel argmax, [D, H, W] row-major: Uint8Array for ≤ 256 labels, else Uint16Array; index into labels. */
  labels: Uint8Array | Uint16Array;
  /**
   * With output 'probabilities': [D, H, W, K] float32, channels last, the window outputs blended (for a model whose
   * `conv3d.voxel_output` is 'logits', blended logits).
   */
  probabilities?: Float32Array;
  /** The window size used, and the number of windows run. */
  roi: Size3;
  windows: number;
}

export interface Segmenter<P extends string = string> {
  /** The execution provider that actually runs the model. */
  readonly provider: P;
  /** The contract read from the model's metadata (task 'segment'). */
  readonly contract: ModelContract;
  /** Segments one volume; calls run one at a time, in call order. */
  segment(volume: Volume, options?: SegmentOptions): Promise<Segmentation>;
  /** Waits for the segmentations already asked for, then frees the session; later segment calls reject. */
  dispose(): Promise<void>;
}

/** A volume that passed checkVolume: its data, size and the window size to use. */
export interface CheckedVolume {
  data: Float32Array | Float64Array;
  size: Size3;
  roi: Size3;
}

/** Checks a volume and options against a segmenter's contract; throws a one-line InputError or RangeError. */
export function checkVolume(
  volume: Volume,
  contract: ModelContract,
  options: SegmentOptions = {},
): CheckedVolume {
  if (contract.task !== 'segment') {
    throw new ContractError(
      `segment: the model is a classifier ('${METADATA_KEYS.task}' is '${contract.task}')`,
    );
  }
  const c = contract.rawChannels;
  const expected = `a volume { data: Float32Array | Float64Array, dims: [D, H, W${c === 1 ? '' : `, ${c}`}] }`;
  const { data, dims } = (volume ?? {}) as Partial<Volume>;
  if (!(data instanceof Float32Array || data instanceof Float64Array) || !Array.isArray(dims)) {
    throw new InputError(`segment: input is not ${expected}`);
  }
  const channelsOk = dims.length === 3 ? c === 1 : dims.length === 4 && dims[3] === c;
  if (!channelsOk || !dims.slice(0, 3).every((d) => Number.isInteger(d) && d > 0)) {
    throw new InputError(`segment: volume dims [${dims.join(', ')}]; expected ${expected}`);
  }
  const size = dims.slice(0, 3) as unknown as Size3;
  const length = size[0] * size[1] * size[2] * c;
  if (data.length !== length) {
    throw new InputError(
      `segment: volume data has ${data.length} values but dims [${dims.join(', ')}] need ${length}`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    // v - v is 0 for finite v and NaN for NaN and ±Infinity.
    if (v - v !== 0) throw new InputError(`segment: volume value ${i} is ${v}; expected finite values`);
  }
  const free = contract.segmentation?.freeSize === true;
  const { roi } = options;
  if (!free && roi !== undefined && !roi.every((r, i) => r === contract.grid[i])) {
    throw new RangeError(
      `segment: roi [${roi.join(', ')}] does not fit the model: its graph takes its training patch [${contract.grid.join(', ')}] only ('${METADATA_KEYS.freeSize}' is false)`,
    );
  }
  return { data, size, roi: roi ?? (free ? size : contract.grid) };
}

/** The whole volume preprocessed once into the model's input space: [D, H, W, C'] float32. */
export function preprocessVolume(checked: CheckedVolume, contract: ModelContract): Float32Array {
  const { data, size } = checked;
  if (contract.preprocessing === 'none' && data instanceof Float32Array) return data;
  const voxels = size[0] * size[1] * size[2];
  const pre = findPreprocessing(contract.preprocessing);
  if (pre === undefined) throw new RangeError(`preprocessing '${contract.preprocessing}' is not registered`);
  const out = new Float32Array(voxels * contract.channels);
  pre.apply(data, 0, voxels, contract.rawChannels, out, 0);
  return out;
}

/**
 * Segments a checked volume: preprocessing, then sliding windows of `checked.roi` run by `run` (which gets
 * [count, rd, rh, rw, C'] float32 and returns [count, rd, rh, rw, K]).
 */
export async function segmentVolume(
  checked: CheckedVolume,
  contract: ModelContract,
  run: RunWindows,
  options: SegmentOptions = {},
): Promise<Segmentation> {
  const { output = 'labels', ...rest } = options;
  if (output !== 'labels' && output !== 'probabilities') {
    throw new RangeError(`segment: output must be 'labels' or 'probabilities', got ${String(output)}`);
  }
  const input = preprocessVolume(checked, contract);
  const result = await slidingWindow(input, checked.size, contract.channels, contract.labels.length, run, {
    ...rest,
    roi: checked.roi,
    probabilities: output === 'probabilities',
  });
  return { dims: checked.size, roi: checked.roi, ...result };
}

/** Opens a segmenter (see openModel): a classifier's file fails with one line saying so. */
export async function openSegmenter<P extends string>(options: OpenModelOptions<P>): Promise<Segmenter<P>> {
  return new SessionSegmenter(await openModel(options, 'segment'));
}

class SessionSegmenter<P extends string> extends ModelSession<P> implements Segmenter<P> {
  segment(volume: Volume, options: SegmentOptions = {}): Promise<Segmentation> {
    return this.enqueue(
      () => checkVolume(volume, this.contract, options),
      (handler, checked) =>
        segmentVolume(
          checked,
          this.contract,
          (data, count) =>
            handler.run(
              { name: this.inputName, data, dims: [count, ...checked.roi, this.contract.channels] },
              this.outputName,
            ),
          options,
        ),
    );
  }
}
