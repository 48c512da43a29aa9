/** A request the server refuses: the status (400 or 404) and a one-line message for `{"error": ...}`. */
export class RequestError extends Error {
  override name = 'RequestError';

  constructor(
    readonly status: 400 | 404 | 503,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): RequestError => new RequestError(400, message);
