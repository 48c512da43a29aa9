// Argument forms shared by the Keras-semantics 3D layers (ZeroPadding3D, Cropping3D, UpSampling3D).
import type * as tf from '@tensorflow/tfjs';

export type DataFormat = 'channelsLast' | 'channelsFirst';

/** Keras accepts an int, a triple of ints, or a triple of (begin, end) pairs. */
export type TriplePairs =
  | number
  | readonly [number, number, number]
  | readonly [readonly [number, number], readonly [number, number], readonly [number, number]];

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** `value` as three [begin, end] pairs of non-negative integers; `what` names the layer and option in errors. */
export function toTriplePairs(value: unknown, what: string): [number, number][] {
  if (isCount(value)) return [0, 1, 2].map(() => [value, value]);
  if (Array.isArray(value) && value.length === 3) {
    if (value.every(isCount)) return value.map((v) => [v, v]);
    if (value.every((p) => Array.isArray(p) && p.length === 2 && p.every(isCount))) {
      return value.map((p) => [p[0], p[1]]);
    }
  }
  throw new Error(
    `${what}: expected a non-negative integer, three of them, or three [begin, end] pairs, got ${JSON.stringify(value)}`,
  );
}

/** The data format, 'channelsLast' by default; Keras's snake_case spelling is accepted too. */
export function toDataFormat(value: unknown, what: string): DataFormat {
  if (value === undefined || value === null || value === 'channelsLast' || value === 'channels_last') {
    return 'channelsLast';
  }
  if (value === 'channelsFirst' || value === 'channels_first') return 'channelsFirst';
  throw new Error(`${what}: dataFormat ${JSON.stringify(value)} is not 'channelsLast' or 'channelsFirst'`);
}

/** The first axis of the three spatial axes of a 5-D tensor in `dataFormat`. */
export function firstSpatialAxis(dataFormat: DataFormat): number {
  return dataFormat === 'channelsLast' ? 1 : 2;
}

/** The one input tensor of a single-input layer. */
export function onlyInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
}

/** The one input shape of a single-input layer. */
export function onlyShape(inputShape: tf.Shape | tf.Shape[], what: string): tf.Shape {
  const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  if (shape.length !== 5) throw new Error(`${what} expects a 5-D input, got shape [${shape.join(', ')}]`);
  return shape;
}
