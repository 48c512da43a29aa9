// The classifier lifecycle over a scripted session handler: what infer-node and infer-web both inherit.
import { describe, expect, it } from 'vitest';
import {
  contractToMetadata,
  defineContract,
  InputError,
  openClassifier,
  type SessionHandler,
  type ValueInfo,
} from '../src/index.js';
import { modelBytes } from './helpers/onnx-bytes.js';

const contract = defineContract({
  labels: ['low', 'high'],
  grid: [1, 2, 2],
  rawChannels: 1,
  preprocessing: 'none',
  inputKind: 'preprocessed',
});
const bytes = modelBytes(contractToMetadata(contract));
const input: ValueInfo = { name: 'x', type: 'float32', shape: ['N', 1, 2, 2, 1] };
const output: ValueInfo = { name: 'p', type: 'float32', shape: ['N', 2] };

/** A handler whose runs finish only when the test says so; each answers [1 − mean, mean] per sample. */
class ScriptedHandler implements SessionHandler {
  readonly runs: { dims: readonly number[]; finish: () => void }[] = [];
  released = false;
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    readonly inputs: readonly ValueInfo[] = [input],
    readonly outputs: readonly ValueInfo[] = [output],
  ) {}

  run(feed: { name: string; data: Float32Array; dims: readonly number[] }, outputName: string) {
    expect(feed.name).toBe('x');
    expect(outputName).toBe('p');
    if (this.released) throw new Error('run after release');
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const data = Float32Array.from(feed.data);
    return new Promise<Float32Array>((resolve) => {
      this.runs.push({
        dims: feed.dims,
        finish: () => {
          this.inFlight--;
          const count = feed.dims[0] as number;
          const out = new Float32Array(count * 2);
          for (let s = 0; s < count; s++) {
            const mean = data.subarray(s * 4, s * 4 + 4).reduce((a, b) => a + b, 0) / 4;
            out.set([1 - mean, mean], s * 2);
          }
          resolve(out);
        },
      });
    });
  }

  async release() {
    this.released = true;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

async function finishAll(handler: ScriptedHandler, upTo: number): Promise<void> {
  for (let i = 0; i < upTo; i++) {
    while (handler.runs.length <= i) await tick();
    handler.runs[i]?.finish();
  }
}

describe('openClassifier', () => {
  it('runs one inference at a time, in call order, each caller getting its own result', async () => {
    const handler = new ScriptedHandler();
    const classifier = await openClassifier({
      bytes,
      source: 'm',
      providers: ['a'],
      open: async () => handler,
    });
    expect(classifier.provider).toBe('a');
    const calls = [0.1, 0.9, 0.4].map((v) => classifier.predict(new Float32Array(4).fill(v)));
    await finishAll(handler, 3);
    const results = await Promise.all(calls);
    expect(results.map(([p]) => p?.label)).toEqual(['low', 'high', 'low']);
    expect(results.map(([p]) => p?.probabilities[1])).toEqual([0.1, 0.9, 0.4].map(Math.fround));
    expect(handler.maxInFlight).toBe(1);
    expect(handler.runs.map((r) => r.dims)).toEqual([
      [1, 1, 2, 2, 1],
      [1, 1, 2, 2, 1],
      [1, 1, 2, 2, 1],
    ]);
  });

  it('rejects bad input at once, without waiting for the queue', async () => {
    const handler = new ScriptedHandler();
    const classifier = await openClassifier({
      bytes,
      source: 'm',
      providers: ['a'],
      open: async () => handler,
    });
    const pending = classifier.predict([0, 0, 0, 0]);
    await expect(classifier.predict([0, 0, Number.NaN, 0])).rejects.toThrow(
      new InputError('input sample 0 value 2 is NaN; expected finite values'),
    );
    await finishAll(handler, 1);
    await pending;
  });

  it('dispose lets the calls already made finish, then releases; later calls reject', async () => {
    const handler = new ScriptedHandler();
    const classifier = await openClassifier({
      bytes,
      source: 'm',
      providers: ['a'],
      open: async () => handler,
    });
    const first = classifier.predict([1, 1, 1, 1]);
    const second = classifier.predict([0, 0, 0, 0]);
    const disposed = classifier.dispose();
    await expect(classifier.predict([0, 0, 0, 0])).rejects.toThrow(
      'predict: the classifier has been disposed',
    );
    expect(handler.released).toBe(false);
    await finishAll(handler, 2);
    await disposed;
    expect(handler.released).toBe(true);
    expect((await first)[0]?.label).toBe('high');
    expect((await second)[0]?.label).toBe('low');
    await classifier.dispose();
  });

  it('falls back to the next provider quietly, and names every provider when all fail', async () => {
    const tried: string[] = [];
    const classifier = await openClassifier({
      bytes,
      source: 'm.onnx',
      providers: ['gpu', 'cpu'],
      open: async (_b, provider) => {
        tried.push(provider);
        if (provider === 'gpu') throw new Error('no adapter\nsecond line');
        return new ScriptedHandler();
      },
    });
    expect(classifier.provider).toBe('cpu');
    expect(tried).toEqual(['gpu', 'cpu']);
    const failing = openClassifier({
      bytes,
      source: 'm.onnx',
      providers: ['gpu', 'cpu'],
      open: async (_b, provider) => {
        throw new Error(provider === 'gpu' ? 'no adapter\ndetails' : 'bad graph');
      },
    });
    await expect(failing).rejects.toThrow(
      'm.onnx: no execution provider could run the model: gpu: no adapter; cpu: bad graph',
    );
    const single = openClassifier({
      bytes,
      source: 'm.onnx',
      providers: ['cpu'],
      open: async () => {
        throw new Error('onnxruntime cannot load the model: bad graph');
      },
    });
    await expect(single).rejects.toThrow(/^m.onnx: onnxruntime cannot load the model: bad graph$/);
  });

  it('checks the contract before any runtime and the graph after opening, releasing the session', async () => {
    let opened = 0;
    const open = async () => {
      opened++;
      return new ScriptedHandler();
    };
    await expect(
      openClassifier({ bytes: modelBytes({}), source: 'm.onnx', providers: ['a'], open }),
    ).rejects.toThrow(/^m.onnx: metadata 'conv3d.labels' is missing/);
    expect(opened).toBe(0);
    const wrong = new ScriptedHandler([input], [{ ...output, shape: ['N', 3] }]);
    await expect(
      openClassifier({ bytes, source: 'm.onnx', providers: ['a'], open: async () => wrong }),
    ).rejects.toThrow(/output 'p' is float32 \[N, 3\]; expected float32 \[batch, 2\] for 2 labels/);
    expect(wrong.released).toBe(true);
  });

  it("feeds a raw-input model's validated rows straight in", async () => {
    const raw = defineContract({ ...contract, preprocessing: 'oranges-rgb', inputKind: 'raw' });
    const seen: Float32Array[] = [];
    const handler: SessionHandler = {
      inputs: [{ name: 'x', type: 'float32', shape: ['N', 4] }],
      outputs: [output],
      async run(feed) {
        seen.push(feed.data);
        expect(feed.dims).toEqual([feed.data.length / 4, 4]);
        return new Float32Array((feed.data.length / 4) * 2).fill(0.5);
      },
      async release() {},
    };
    const classifier = await openClassifier({
      bytes: modelBytes(contractToMetadata(raw)),
      source: 'raw.onnx',
      providers: ['a'],
      open: async () => handler,
    });
    const rows = Float32Array.from([0, 0.5, 1, 0.25, 1, 1, 0, 0]);
    expect(await classifier.predict(rows)).toHaveLength(2);
    expect(seen[0]).toBe(rows);
    await classifier.predict(Float64Array.from([0.1, 0.2, 0.3, 0.4]));
    expect(Array.from(seen[1] ?? [])).toEqual([0.1, 0.2, 0.3, 0.4].map(Math.fround));
    await expect(classifier.predict([0, Number.POSITIVE_INFINITY, 0, 0])).rejects.toThrow(
      /value 1 is Infinity/,
    );
    await expect(classifier.predict({ data: new Float32Array(4), dims: [1, 1, 2, 2, 3] })).rejects.toThrow(
      'tensor dims [1, 1, 2, 2, 3]; expected a float32 tensor with dims [N, 4] (raw rows)',
    );
    await classifier.dispose();
  });
});

describe('provider choice', () => {
  it('is asked only after the contract check passed', async () => {
    let asked = 0;
    const providers = () => {
      asked++;
      throw new Error('no GPU library');
    };
    await expect(
      openClassifier({
        bytes: modelBytes({}),
        source: 'm.onnx',
        providers,
        open: async () => new ScriptedHandler(),
      }),
    ).rejects.toThrow(/metadata 'conv3d.labels' is missing/);
    expect(asked).toBe(0);
    await expect(
      openClassifier({ bytes, source: 'm.onnx', providers, open: async () => new ScriptedHandler() }),
    ).rejects.toThrow('no GPU library');
    expect(asked).toBe(1);
  });
});
