// The state a fuzz generator draws on: the current tensor of a functional graph under construction, and what was
// drawn (a line per layer for failure messages, tags for the option-coverage check).
import type { Rng } from '@conv3d/core';
import type * as tf from '@tensorflow/tfjs';

export class FuzzGraph {
  /** The layers applied in a row (a Sequential model is built from them when the graph has no merges). */
  readonly layers: tf.layers.Layer[] = [];

  constructor(
    readonly rng: Rng,
    public current: tf.SymbolicTensor,
    /** Merges, several inputs or outputs, and nested functional blocks need a functional model. */
    readonly functional: boolean,
    readonly lines: string[] = [],
    readonly tags: Set<string> = new Set(),
  ) {}

  /** Another branch from the current tensor, recording into the same lines and tags. */
  fork(): FuzzGraph {
    return new FuzzGraph(this.rng, this.current, this.functional, this.lines, this.tags);
  }

  /** The current shape without the batch: [spatial…, channels], or [features]. */
  get shape(): number[] {
    return this.current.shape.slice(1) as number[];
  }

  /** Spatial (or time) axes before the channels: 0 for [N, F] features. */
  get rank(): number {
    return this.shape.length - 1;
  }

  get spatial(): number[] {
    return this.shape.slice(0, -1);
  }

  get channels(): number {
    return this.shape.at(-1) as number;
  }

  /** Applies `layer` to the current tensor; `options` describe the draw in failure messages. */
  apply(layer: tf.layers.Layer, options: object = {}, ...tags: string[]): void {
    this.current = layer.apply(this.current) as tf.SymbolicTensor;
    this.layers.push(layer);
    this.lines.push(`${layer.getClassName()} ${JSON.stringify(options)}`);
    for (const tag of tags) this.tags.add(tag);
  }

  tag(...tags: string[]): void {
    for (const tag of tags) this.tags.add(tag);
  }
}

/** One kind of draw. `covers` lists every tag it can record: the fuzz test fails if one is never drawn. */
export interface Generator {
  name: string;
  covers: readonly string[];
  applies(g: FuzzGraph): boolean;
  draw(g: FuzzGraph): void;
}

/** Output size of a window op along one axis, as tfjs computes it. */
export function windowOut(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: 'valid' | 'same',
): number {
  return padding === 'same'
    ? Math.ceil(size / stride)
    : Math.floor((size - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

/** 'valid' when every axis keeps at least `min` elements, else 'same'. */
export function paddingFor(
  g: FuzzGraph,
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  min = 2,
): 'valid' | 'same' {
  const wanted = g.rng.pick(['valid', 'same'] as const);
  if (wanted === 'same') return 'same';
  const fits = g.spatial.every(
    (s, i) => windowOut(s, kernel[i] as number, strides[i] as number, dilations[i] as number, 'valid') >= min,
  );
  return fits ? 'valid' : 'same';
}

export const ALL_ACTIVATIONS = [
  'elu',
  'selu',
  'relu',
  'relu6',
  'linear',
  'sigmoid',
  'hardSigmoid',
  'softplus',
  'softsign',
  'tanh',
  'softmax',
  'logSoftmax',
  'gelu',
  'gelu_new',
  'mish',
  'swish',
] as const;

/**
 * Cycles through `values` across draws (and so across models), so a few dozen draws cover every one of them; the
 * models stay deterministic because the test draws them in a fixed order.
 */
export function cycler<T>(values: readonly T[]): () => T {
  let next = 0;
  return () => values[next++ % values.length] as T;
}
