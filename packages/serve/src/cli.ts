#!/usr/bin/env node
// conv3d-serve: serves one model on the v2 protocol until SIGTERM or SIGINT, then drains and exits 0.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { load, loadSegmenter, modelTask } from '@conv3d/infer-node';
import type { ServedModel } from './model-info.js';
import { createServer, DEFAULT_BODY_LIMIT, DEFAULT_SEGMENT_BODY_LIMIT } from './server.js';

export const USAGE =
  'usage: conv3d-serve model.onnx [--name NAME] [--port P] [--host 127.0.0.1] [--workers N] [--max-batch B] [--max-delay-ms D] [--device auto|cuda|cpu] [--max-body-bytes N]\n' +
  `  --max-body-bytes: default ${DEFAULT_BODY_LIMIT} (a classifier), ${DEFAULT_SEGMENT_BODY_LIMIT} (a segmenter: a 256³ FP32 or FP64 volume in binary data)`;

class UsageError extends Error {}

interface Options {
  model: string;
  name: string;
  port: number;
  host: string;
  workers: number;
  maxBatch: number;
  maxDelayMs: number;
  device: 'auto' | 'cuda' | 'cpu';
  /** Undefined: the task's default. */
  bodyLimit: number | undefined;
}

const say = (line: string) => process.stdout.write(`conv3d-serve: ${line}\n`);
const complain = (line: string) => process.stderr.write(`conv3d-serve: ${line}\n`);

function parse(argv: string[]): Options | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      workers: { type: 'string', default: '1' },
      'max-batch': { type: 'string', default: '64' },
      'max-delay-ms': { type: 'string', default: '2' },
      device: { type: 'string', default: 'auto' },
      'max-body-bytes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  if (positionals.length !== 1)
    throw new UsageError(`expected one model file, got ${positionals.length} arguments`);
  const model = positionals[0] as string;
  const device = values.device;
  if (device !== 'auto' && device !== 'cuda' && device !== 'cpu') {
    throw new UsageError(`--device must be auto, cuda or cpu, got '${device}'`);
  }
  const port = integer('--port', values.port, 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got '${values.port}'`);
  const maxDelayMs = Number(values['max-delay-ms']);
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0 || values['max-delay-ms'].trim() === '') {
    throw new UsageError(`--max-delay-ms must be a non-negative number, got '${values['max-delay-ms']}'`);
  }
  return {
    model,
    name: values.name ?? basename(model).replace(/\.onnx$/i, ''),
    port,
    host: values.host,
    workers: integer('--workers', values.workers, 0),
    maxBatch: integer('--max-batch', values['max-batch'], 1),
    maxDelayMs,
    device,
    bodyLimit:
      values['max-body-bytes'] === undefined
        ? undefined
        : integer('--max-body-bytes', values['max-body-bytes'], 1),
  };
}

function integer(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min) {
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got '${text}'`);
  }
  return n;
}

/** Runs the server; resolves with the exit code once it stopped. */
export async function main(argv: string[]): Promise<number> {
  let options: Options | undefined;
  try {
    options = parse(argv);
  } catch (error) {
    complain(`${(error as Error).message}; ${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const task = await modelTask(options.model);
  const bodyLimit =
    options.bodyLimit ?? (task === 'segment' ? DEFAULT_SEGMENT_BODY_LIMIT : DEFAULT_BODY_LIMIT);
  const server = createServer({ name: options.name, bodyLimit });
  let classifier: ServedModel | undefined;
  let signalled: (signal: string) => void = () => {};
  const stop = new Promise<string>((resolve) => {
    signalled = resolve;
  });
  process.once('SIGTERM', () => signalled('SIGTERM'));
  process.once('SIGINT', () => signalled('SIGINT'));
  try {
    await server.app.listen({ port: options.port, host: options.host });
  } catch (error) {
    complain(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
    return 1;
  }
  const address = server.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  say(`listening on http://${options.host}:${port} (model '${options.name}' loading)`);
  const loading: Promise<ServedModel> = (task === 'segment' ? loadSegmenter : load)(options.model, {
    device: options.device,
    workers: options.workers,
    maxBatch: options.maxBatch,
    maxDelayMs: options.maxDelayMs,
    onBatch: (batch) => server.metrics.batch(batch),
  });
  const first = await Promise.race([loading.then(() => 'loaded'), stop]).catch((error: Error) => error);
  if (first instanceof Error) {
    complain(first.message);
    await server.close();
    return 1;
  }
  classifier = await loading.catch(() => undefined);
  if (classifier !== undefined && first === 'loaded') {
    server.attach(classifier);
    const workers =
      options.workers === 0 ? 'in-thread' : `${options.workers} worker${options.workers > 1 ? 's' : ''}`;
    say(
      `model '${options.name}' ready (${task === 'segment' ? 'segmenter, ' : ''}provider ${classifier.provider}, ${workers})`,
    );
  }
  const signal = first === 'loaded' ? await stop : first;
  say(`${signal}: draining in-flight requests`);
  await server.close();
  await classifier?.dispose();
  say('stopped');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
