// conv3d-predict: classifies a split of a 3D MNIST HDF5 file and reports accuracy and the provider.
import { parseArgs } from 'node:util';
import { type Dataset3D, openDataset, type Split } from '@conv3d/data';
import type { NodeDevice } from '@conv3d/data/classifier';
import { load, type NodeClassifier } from './load.js';
import { DEVICES } from './session.js';

export const USAGE =
  'usage: conv3d-predict model.onnx data.h5 [--split test|train] [--limit N] [--device auto|cuda|cpu] [--batch N]';

export interface Output {
  write(text: string): unknown;
}

class UsageError extends Error {}

interface Options {
  model: string;
  data: string;
  split: Split;
  limit: number | undefined;
  device: NodeDevice;
  batch: number;
}

/** Runs the command; returns the exit code (0 ok, 1 bad file or model, 2 bad arguments). */
export async function runPredict(argv: readonly string[], out: Output, err: Output): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    err.write(`conv3d-predict: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options.model === '') {
    out.write(`${USAGE}\n`);
    return 0;
  }
  let dataset: Dataset3D | undefined;
  let classifier: NodeClassifier | undefined;
  try {
    classifier = await load(options.model, { device: options.device });
    dataset = await openDataset(options.data);
    const available = dataset.count(options.split);
    const total = Math.min(available, options.limit ?? available);
    let correct = 0;
    let done = 0;
    const started = performance.now();
    // reuse: one buffer pair for every batch; each is consumed by predict before the next is read.
    for (const batch of dataset.batches(options.split, options.batch, {
      start: 0,
      end: total,
      reuse: true,
    })) {
      const predictions = await classifier.predict(batch.x);
      predictions.forEach((p, i) => {
        const truth = String(batch.y[i]);
        if (p.label === truth) correct++;
        out.write(
          `${options.split}[${done + i}] true ${truth} predicted ${p.label} p=${p.probability.toFixed(4)}\n`,
        );
      });
      done += batch.count;
    }
    const seconds = (performance.now() - started) / 1000;
    const accuracy = total === 0 ? 0 : correct / total;
    out.write(
      `accuracy ${accuracy.toFixed(4)} (${correct}/${total}) on ${options.split}; provider ${classifier.provider}; ` +
        `${(total / seconds).toFixed(0)} samples/s\n`,
    );
    return 0;
  } catch (error) {
    err.write(`conv3d-predict: ${(error as Error).message}\n`);
    return 1;
  } finally {
    dataset?.close();
    await classifier?.dispose();
  }
}

function parseOptions(argv: readonly string[]): Options {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      split: { type: 'string', default: 'test' },
      limit: { type: 'string' },
      device: { type: 'string', default: 'auto' },
      batch: { type: 'string', default: '100' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { model: '', data: '', split: 'test', limit: undefined, device: 'auto', batch: 1 };
  if (positionals.length !== 2) {
    throw new UsageError(`expected a model file and a data file, got ${positionals.length} arguments`);
  }
  const [model = '', data = ''] = positionals;
  const split = values.split;
  if (split !== 'test' && split !== 'train')
    throw new UsageError(`--split must be test or train, got '${split}'`);
  const device = values.device as NodeDevice;
  if (!DEVICES.includes(device)) {
    throw new UsageError(`--device must be one of ${DEVICES.join(', ')}, got '${values.device}'`);
  }
  return {
    model,
    data,
    split,
    limit: values.limit === undefined ? undefined : positiveInt('--limit', values.limit),
    device,
    batch: positiveInt('--batch', values.batch),
  };
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}
