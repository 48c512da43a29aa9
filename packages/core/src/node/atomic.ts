// The one atomic file write: readers see the old file or the whole new one, never a partial file, and a failed
// write leaves nothing behind.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A write that ran out of disk space. Its one-line message names the file and says what is on disk: nothing new
 * (the partial temporary file was removed), the previous file, if any, unchanged.
 */
export class DiskFullError extends Error {
  override name = 'DiskFullError';
  readonly code = 'ENOSPC';
  constructor(
    readonly file: string,
    existed: boolean,
    cause?: unknown,
  ) {
    super(
      `${file}: disk full (no space left on device); the partial file was removed, ` +
        (existed ? 'the previous file is unchanged' : 'nothing was written'),
      { cause },
    );
  }
}

/**
 * Whether `error` is a full disk: Node's ENOSPC code (or EDQUOT, a full quota: the same for the user), or the text of a library that reports errno in its message
 * (HDF5: "errno = 28, error message = 'No space left on device'").
 */
export function isDiskFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /ENOSPC|no space left on device|errno = 28\b/i.test(message);
}

/** The temporary name a file is written under before its rename: same directory, so the rename is atomic. */
export function temporaryPath(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

/**
 * Lets `write` produce the file at a temporary path, then renames it over `file` (creating the directory first).
 * On any failure the temporary file is removed and the error rethrown; a full disk becomes a DiskFullError.
 */
export async function writeAtomic(file: string, write: (tmp: string) => void | Promise<void>): Promise<void> {
  const tmp = temporaryPath(file);
  try {
    mkdirSync(dirname(file), { recursive: true });
    await write(tmp);
    renameSync(tmp, file);
  } catch (error) {
    throw failed(file, tmp, error);
  }
}

/** writeAtomic for callers that cannot await: `write` must be synchronous. */
export function writeAtomicSync(file: string, write: (tmp: string) => void): void {
  const tmp = temporaryPath(file);
  try {
    mkdirSync(dirname(file), { recursive: true });
    write(tmp);
    renameSync(tmp, file);
  } catch (error) {
    throw failed(file, tmp, error);
  }
}

/** Writes `data` to `file` atomically. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  writeAtomicSync(file, (tmp) => writeFileSync(tmp, data));
}

/** Removes the temporary file; the error to throw: a DiskFullError for a full disk, else `error` itself. */
function failed(file: string, tmp: string, error: unknown): unknown {
  removeQuietly(tmp);
  return isDiskFull(error) ? new DiskFullError(file, existsSync(file), error) : error;
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // e.g. ENOTDIR: the temporary file was never created; the original error is the one worth reporting.
  }
}
