// Typed reads of a tfjs layer's getConfig() and weights, failing with the layer's name and class.
import type * as tf from '@tensorflow/tfjs';
import { ExportError, type LayerRef, unsupportedOption } from './errors.js';

export class LayerConfig {
  constructor(
    readonly ref: LayerRef,
    private readonly raw: Readonly<Record<string, unknown>>,
  ) {}

  /** The option as stored, unchecked (for converters that validate a structured value themselves). */
  get(key: string): unknown {
    return this.raw[key];
  }

  /**
   * A per-spatial-dimension (begin, end) option such as ZeroPadding's `padding` or Cropping's `cropping`: a number,
   * `n` numbers, or `n` [begin, end] pairs (Keras's forms), as `n` non-negative integer pairs.
   */
  pairs(key: string, n: number): [number, number][] {
    const value = this.raw[key];
    const ok = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
    if (ok(value)) return Array.from({ length: n }, () => [value, value]);
    if (Array.isArray(value) && value.length === n) {
      if (value.every(ok)) return value.map((v) => [v, v]);
      if (value.every((p) => Array.isArray(p) && p.length === 2 && p.every(ok)))
        return value as [number, number][];
    }
    throw this.invalid(key, `a non-negative integer, ${n} of them, or ${n} [begin, end] pairs`);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  number(key: string, fallback?: number): number {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.invalid(key, 'a number');
    return value;
  }

  /** An axis option: a number, or a one-element list as Keras 2 saves BatchNormalization's `axis` ([3]). */
  axis(key: string, fallback: number): number {
    const value = this.raw[key] ?? fallback;
    const axis = Array.isArray(value) && value.length === 1 ? value[0] : value;
    if (!Number.isInteger(axis)) throw this.invalid(key, 'an integer axis');
    return axis as number;
  }

  /** A per-spatial-dimension option: tfjs stores a number or an array of `n` numbers. */
  numbers(key: string, n: number, fallback?: readonly number[]): number[] {
    const value = this.raw[key] ?? fallback;
    const list = typeof value === 'number' ? Array<number>(n).fill(value) : value;
    if (!Array.isArray(list) || list.length !== n || !list.every((v) => Number.isInteger(v) && v > 0)) {
      throw this.invalid(key, `${n} positive integers`);
    }
    return list as number[];
  }

  /** An axis option: one integer or a list of `n`, any sign (tfjs stores what the user gave). */
  integers(key: string, n: number): number[] {
    const value = this.raw[key];
    const list = typeof value === 'number' ? Array<number>(n).fill(value) : value;
    if (!Array.isArray(list) || list.length !== n || !list.every((v) => Number.isInteger(v))) {
      throw this.invalid(key, `an integer or ${n} integers`);
    }
    return list as number[];
  }

  string(key: string, fallback?: string): string {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== 'string') throw this.invalid(key, 'a string');
    return value;
  }

  boolean(key: string, fallback?: boolean): boolean {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== 'boolean') throw this.invalid(key, 'a boolean');
    return value;
  }

  /** A string option restricted to the values this exporter implements. */
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
    const value = this.string(key, fallback);
    if (!(allowed as readonly string[]).includes(value)) throw unsupportedOption(this.ref, key, `'${value}'`);
    return value as T;
  }

  /** A nested serialized layer or cell (`{className, config}`), as wrappers and RNN store them. */
  nested(key: string): { className: string; config: LayerConfig } {
    return nestedLayer(this, key, this.raw[key]);
  }

  /** A list of nested serialized layers or cells (StackedRNNCells' `cells`). */
  nestedList(key: string): { className: string; config: LayerConfig }[] {
    const value = this.raw[key];
    if (!Array.isArray(value)) throw this.invalid(key, 'a list of layer configs');
    return value.map((item) => nestedLayer(this, key, item));
  }

  /** A copy with some keys replaced (Bidirectional's backward layer is its forward config, reversed). */
  with(changes: Readonly<Record<string, unknown>>): LayerConfig {
    return new LayerConfig(this.ref, { ...this.raw, ...changes });
  }

  /** @internal */
  invalid(key: string, expected: string): ExportError {
    return new ExportError(
      `layer '${this.ref.name}' (${this.ref.className}): config '${key}' = ${JSON.stringify(this.raw[key])}, expected ${expected}`,
    );
  }
}

function nestedLayer(
  parent: LayerConfig,
  key: string,
  value: unknown,
): { className: string; config: LayerConfig } {
  const { className, config } = (value ?? {}) as { className?: unknown; config?: unknown };
  if (typeof className !== 'string' || typeof config !== 'object' || config === null) {
    throw parent.invalid(key, 'a layer config {className, config}');
  }
  return { className, config: new LayerConfig(parent.ref, config as Record<string, unknown>) };
}

export interface WeightData {
  shape: number[];
  data: Float32Array;
}

/** A layer's weights by their short name ('kernel', 'bias', 'gamma', 'moving_mean', ...). */
export class LayerWeights {
  private readonly byName = new Map<string, WeightData>();
  /** Every weight in tfjs's order (wrappers and stacked cells repeat the short names). */
  readonly list: WeightData[] = [];

  constructor(
    readonly ref: LayerRef,
    layer: tf.layers.Layer,
  ) {
    const tensors = layer.getWeights();
    layer.weights.forEach((variable, i) => {
      const tensor = tensors[i] as tf.Tensor;
      if (tensor.dtype !== 'float32')
        throw unsupportedOption(ref, `weight '${variable.name}' dtype`, tensor.dtype);
      const short = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
      const weight = { shape: [...tensor.shape], data: tensor.dataSync() as Float32Array };
      this.byName.set(short, weight);
      this.list.push(weight);
    });
  }

  optional(name: string): WeightData | undefined {
    return this.byName.get(name);
  }

  required(name: string): WeightData {
    const weight = this.byName.get(name);
    if (weight === undefined) {
      throw new ExportError(`layer '${this.ref.name}' (${this.ref.className}): weight '${name}' is missing`);
    }
    return weight;
  }
}
