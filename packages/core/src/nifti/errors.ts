// One error type for every NIfTI problem, so callers (CLIs, the web demo) can print its one line as is.

/** A NIfTI file that cannot be read or written: the message names the file and the header field at fault. */
export class NiftiError extends Error {
  override name = 'NiftiError';
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field} ${problem}`);
  }
}
