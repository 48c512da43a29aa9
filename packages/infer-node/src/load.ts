// @conv3d/infer-node's load() and loadSegmenter(): model bytes from a path or memory, then @conv3d/core's
// classifier or segmenter lifecycle over onnxruntime-node sessions.
import { readFile } from 'node:fs/promises';
import {
  type Classifier,
  contractFromMetadata,
  type OpenModelOptions,
  openClassifier,
  openSegmenter,
  readOnnxMetadata,
  type Segmenter,
  type Task,
} from '@conv3d/core';
import { loadPool } from './pool/classifier.js';
import { type NodeLoadOptions, type PoolSettings, poolSettings } from './pool/options.js';
import { loadSegmenterPool } from './pool/segmenter.js';
import { type NodeDevice, type NodeProvider, nodeProviders, openNodeSession } from './session.js';

export type NodeClassifier = Classifier<NodeProvider>;
export type NodeSegmenter = Segmenter<NodeProvider>;

export interface LoadOptions {
  /** 'auto' (default): CUDA when its libraries load, else CPU. 'cuda' fails when they are not installed. */
  device?: NodeDevice;
}

/**
 * Loads an ONNX model exported by @conv3d/export-onnx from a file path or its bytes, checks its contract
 * (metadata, input and output) and opens it on `device`. With `workers: N` the sessions run in N worker threads
 * (see pool/).
 */
export async function load(
  pathOrBytes: string | Uint8Array | ArrayBuffer,
  options: NodeLoadOptions = {},
): Promise<NodeClassifier> {
  const pool = poolOf(pathOrBytes, options);
  if (pool !== undefined) return loadPool(pool.model, options, pool.settings);
  return openClassifier(await openOptions(pathOrBytes, options));
}

/**
 * Loads a segmentation model (contract task 'segment') as load() loads a classifier; `segment(volume, options)`
 * then runs @conv3d/core's sliding windows on it. With `workers: N` segmentations run in N worker threads, so the
 * caller's event loop never waits for onnxruntime (one segmentation per worker at a time).
 */
export async function loadSegmenter(
  pathOrBytes: string | Uint8Array | ArrayBuffer,
  options: NodeLoadOptions = {},
): Promise<NodeSegmenter> {
  const pool = poolOf(pathOrBytes, options);
  if (pool !== undefined) return loadSegmenterPool(pool.model, options, pool.settings);
  return openSegmenter(await openOptions(pathOrBytes, options));
}

/** The pool settings and the model as workers take it, when `options.workers` asks for worker threads. */
function poolOf(
  pathOrBytes: string | Uint8Array | ArrayBuffer,
  options: NodeLoadOptions,
): { model: string | Uint8Array; settings: PoolSettings } | undefined {
  const settings = poolSettings(options);
  if (settings.workers === 0) return undefined;
  return { model: pathOrBytes instanceof ArrayBuffer ? new Uint8Array(pathOrBytes) : pathOrBytes, settings };
}

/**
 * The task a model file's contract names, to choose load or loadSegmenter; 'classify' when the file or its
 * contract cannot be read (load then says why, in its own words).
 */
export async function modelTask(path: string): Promise<Task> {
  try {
    return contractFromMetadata(readOnnxMetadata(await readFile(path), path), path).task;
  } catch {
    return 'classify';
  }
}

async function openOptions(
  pathOrBytes: string | Uint8Array | ArrayBuffer,
  options: LoadOptions,
): Promise<OpenModelOptions<NodeProvider>> {
  const source = typeof pathOrBytes === 'string' ? pathOrBytes : 'model bytes';
  const device = options.device ?? 'auto';
  return {
    bytes: await modelBytes(pathOrBytes),
    source,
    providers: () => nodeProviders(device, source),
    open: openNodeSession,
  };
}

async function modelBytes(pathOrBytes: string | Uint8Array | ArrayBuffer): Promise<Uint8Array> {
  if (pathOrBytes instanceof Uint8Array) return pathOrBytes;
  if (pathOrBytes instanceof ArrayBuffer) return new Uint8Array(pathOrBytes);
  if (typeof pathOrBytes !== 'string') {
    throw new TypeError('load: expected a model file path, a Uint8Array or an ArrayBuffer');
  }
  try {
    return await readFile(pathOrBytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(code);
    throw new Error(`${pathOrBytes}: cannot read the model: ${why}`);
  }
}
