// Reading a NIfTI file in Node: the file's bytes, gunzipped by Node's zlib on the libuv thread pool in 4 MiB output
// chunks (on a 256³ scan about half the CPU of DecompressionStream's many small chunks, and 0.6× zlib's default
// 16 KiB chunks), then core's reader.
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { NiftiError } from '../nifti/errors.js';
import { type NiftiImage, type ReadOptions, readNifti } from '../nifti/read.js';

const zlibGunzip = promisify(gunzip);
const GUNZIP_CHUNK = 4 << 20;

/** Reads `path` (.nii or .nii.gz) with readNifti; an unreadable file is a one-line NiftiError. */
export async function readNiftiFile(path: string, options: ReadOptions = {}): Promise<NiftiImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NiftiError(path, 'file', code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`);
  }
  return readNifti(bytes, path, { gunzip: (b) => zlibGunzip(b, { chunkSize: GUNZIP_CHUNK }), ...options });
}
