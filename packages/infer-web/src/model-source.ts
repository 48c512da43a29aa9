// Turns what the caller passed to load() into model bytes and a name for error messages.

export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

export async function readModel(source: ModelSource): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'model bytes' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: 'model bytes' };
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new TypeError(`load: model must be a URL, Uint8Array or ArrayBuffer, got ${typeof source}`);
  }
  const name = String(source);
  let response: Response;
  try {
    response = await fetch(source);
  } catch (err) {
    throw new Error(`${name}: model could not be fetched (${(err as Error).message})`);
  }
  if (!response.ok) throw new Error(`${name}: model could not be fetched (HTTP ${response.status})`);
  return { bytes: new Uint8Array(await response.arrayBuffer()), name };
}
