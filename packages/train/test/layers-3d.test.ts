import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend.js';
import { Cropping3D, UpSampling3D, ZeroPadding3D } from '../src/layers/index.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

// numpy's own padding, slicing and repeat as the independent reference (Keras implements the layers with them).
const NUMPY = `
import json, sys
import numpy as np
spec = json.load(sys.stdin)
x = np.array(spec["x"], dtype=np.float32).reshape(spec["shape"])
first = 1 if spec["dataFormat"] == "channelsLast" else 2
if spec["op"] == "pad":
    pads = [(0, 0)] * 5
    for i, p in enumerate(spec["arg"]): pads[first + i] = tuple(p)
    y = np.pad(x, pads)
elif spec["op"] == "crop":
    index = [slice(None)] * 5
    for i, (b, e) in enumerate(spec["arg"]): index[first + i] = slice(b, x.shape[first + i] - e)
    y = x[tuple(index)]
else:
    y = x
    for i, s in enumerate(spec["arg"]): y = np.repeat(y, s, axis=first + i)
print(json.dumps({"shape": list(y.shape), "y": y.ravel().tolist()}))
`;

function numpy(op: string, x: tf.Tensor, arg: unknown, dataFormat: string): { shape: number[]; y: number[] } {
  const input = JSON.stringify({ op, x: Array.from(x.dataSync()), shape: x.shape, arg, dataFormat });
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', NUMPY], { input }).toString());
}

type Case = [string, () => tf.layers.Layer, string, unknown, 'channelsLast' | 'channelsFirst'];
const CASES: Case[] = [
  [
    'ZeroPadding3D int',
    () => new ZeroPadding3D({ padding: 1 }),
    'pad',
    [
      [1, 1],
      [1, 1],
      [1, 1],
    ],
    'channelsLast',
  ],
  [
    'ZeroPadding3D triple',
    () => new ZeroPadding3D({ padding: [0, 2, 1] }),
    'pad',
    [
      [0, 0],
      [2, 2],
      [1, 1],
    ],
    'channelsLast',
  ],
  [
    'ZeroPadding3D pairs, channelsFirst',
    () =>
      new ZeroPadding3D({
        padding: [
          [1, 0],
          [0, 2],
          [3, 1],
        ],
        dataFormat: 'channelsFirst',
      }),
    'pad',
    [
      [1, 0],
      [0, 2],
      [3, 1],
    ],
    'channelsFirst',
  ],
  [
    'Cropping3D int',
    () => new Cropping3D({ cropping: 1 }),
    'crop',
    [
      [1, 1],
      [1, 1],
      [1, 1],
    ],
    'channelsLast',
  ],
  [
    'Cropping3D triple',
    () => new Cropping3D({ cropping: [0, 1, 2] }),
    'crop',
    [
      [0, 0],
      [1, 1],
      [2, 2],
    ],
    'channelsLast',
  ],
  [
    'Cropping3D pairs, channelsFirst',
    () =>
      new Cropping3D({
        cropping: [
          [1, 0],
          [0, 2],
          [1, 1],
        ],
        dataFormat: 'channelsFirst',
      }),
    'crop',
    [
      [1, 0],
      [0, 2],
      [1, 1],
    ],
    'channelsFirst',
  ],
  ['UpSampling3D default 2', () => new UpSampling3D({}), 'repeat', [2, 2, 2], 'channelsLast'],
  [
    'UpSampling3D [1, 3, 2]',
    () => new UpSampling3D({ size: [1, 3, 2] }),
    'repeat',
    [1, 3, 2],
    'channelsLast',
  ],
  [
    'UpSampling3D channelsFirst',
    () => new UpSampling3D({ size: [2, 1, 3], dataFormat: 'channelsFirst' }),
    'repeat',
    [2, 1, 3],
    'channelsFirst',
  ],
];

describe('Keras-semantics 3D layers against numpy', () => {
  it.each(CASES)('%s', (_, make, op, arg, dataFormat) => {
    const layer = make();
    const x = tf.randomUniform([2, 4, 5, 6, 3], -1, 1, 'float32', 11);
    const y = layer.apply(x) as tf.Tensor;
    const expected = numpy(op, x, arg, dataFormat);
    expect(y.shape).toEqual(expected.shape);
    // Pure data movement: bit-identical.
    expect(Array.from(y.dataSync())).toEqual(Array.from(Float32Array.from(expected.y)));
    expect(layer.computeOutputShape([null, 4, 5, 6, 3])).toEqual([null, ...expected.shape.slice(1)]);
    expect(layer.inputSpec?.[0]?.ndim).toBe(5);
  });

  it('each round-trips through toJSON / modelFromJSON with its config and the same output', async () => {
    const input = tf.input({ shape: [4, 5, 6, 2] });
    let t = new ZeroPadding3D({
      padding: [
        [1, 0],
        [0, 2],
        [1, 1],
      ],
      name: 'pad',
    }).apply(input) as tf.SymbolicTensor;
    t = new UpSampling3D({ size: [2, 1, 2], name: 'up' }).apply(t) as tf.SymbolicTensor;
    t = new Cropping3D({ cropping: [1, 2, 0], name: 'crop' }).apply(t) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: t });
    const json = model.toJSON(null, false);
    const again = await tf.models.modelFromJSON({ modelTopology: json as tf.io.ModelJSON['modelTopology'] });
    expect(again.layers.map((l) => l.getConfig())).toEqual(model.layers.map((l) => l.getConfig()));
    expect(again.getLayer('pad').getConfig()).toMatchObject({
      padding: [
        [1, 0],
        [0, 2],
        [1, 1],
      ],
      dataFormat: 'channelsLast',
    });
    const x = tf.randomUniform([1, 4, 5, 6, 2], 0, 1, 'float32', 5);
    expect((again.predict(x) as tf.Tensor).dataSync()).toEqual((model.predict(x) as tf.Tensor).dataSync());
    expect(model.outputs[0]?.shape).toEqual([null, 8, 3, 16, 2]);
  });

  it('bad arguments fail at construction with one line naming the layer and option', () => {
    expect(() => new ZeroPadding3D({ name: 'z', padding: [1, 2] as unknown as number })).toThrow(
      "ZeroPadding3D 'z' padding: expected a non-negative integer, three of them, or three [begin, end] pairs, got [1,2]",
    );
    expect(() => new UpSampling3D({ name: 'u', size: 0 })).toThrow(
      "UpSampling3D 'u': size must be a positive integer or three of them, got 0",
    );
    expect(() => new Cropping3D({ name: 'c', dataFormat: 'nchw' as 'channelsLast' })).toThrow(
      `Cropping3D 'c': dataFormat "nchw" is not 'channelsLast' or 'channelsFirst'`,
    );
  });
});
