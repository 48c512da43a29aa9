// The one atomic file write: readers see the old file or the whole new one, never a partial file, and a failed
// write leaves nothing behind.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The temporary name a file is written under before its rename: same directory, so the rename is atomic. */
export function temporaryPath(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

/**
 * Lets `write` produce the file at a temporary path, then renames it over `file` (creating the directory first).
 * On any failure the temporary file is removed and the error rethrown.
 */
export async function writeAtomic(file: string, write: (tmp: string) => void | Promise<void>): Promise<void> {
  const tmp = temporaryPath(file);
  try {
    mkdirSync(dirname(file), { recursive: true });
    await write(tmp);
    renameSync(tmp, file);
  } catch (error) {
    removeQuietly(tmp);
    throw error;
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
    removeQuietly(tmp);
    throw error;
  }
}

/** Writes `data` to `file` atomically. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  writeAtomicSync(file, (tmp) => writeFileSync(tmp, data));
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // e.g. ENOTDIR: the temporary file was never created; the original error is the one worth reporting.
  }
}
