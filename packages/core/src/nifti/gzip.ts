// gzip through the web-standard CompressionStream/DecompressionStream globals (Node >= 18 and every current
// browser), so core keeps zero dependencies and no Node APIs.

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** True when `bytes` start with the gzip magic (the file name is never trusted). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Gunzips `bytes`; a truncated or corrupt stream rejects (the caller words the error). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return collect(source(bytes).pipeThrough(new DecompressionStream('gzip')));
}

/** Gzips `bytes`. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return collect(source(bytes).pipeThrough(new CompressionStream('gzip')));
}

function source(bytes: Uint8Array): ReadableStream<ArrayBufferView<ArrayBuffer>> {
  return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
}

// The chunks are joined once at the end.
async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
