// Reads a user's vector file: a JSON array of numbers, or little-endian float32 values (.bin), as many as one raw
// row of the loaded model (its contract's D·H·W·C). Values are checked (finite) by the classifier's own
// validation; this decodes and checks the count.
import type { ModelContract } from '@conv3d/core';

type RowShape = Pick<ModelContract, 'rawLength' | 'grid' | 'rawChannels'>;

function expected(contract: RowShape): string {
  const [d, h, w] = contract.grid;
  return `${contract.rawLength} (the model's grid ${d}×${h}×${w} × ${contract.rawChannels} channel(s))`;
}

export function parseVectorFile(
  name: string,
  bytes: ArrayBuffer,
  contract: RowShape,
): Float32Array | number[] {
  const length = contract.rawLength;
  if (name.toLowerCase().endsWith('.json'))
    return parseJsonVector(name, new TextDecoder().decode(bytes), contract);
  if (bytes.byteLength !== length * 4) {
    throw new Error(
      `${name}: ${bytes.byteLength} bytes; expected ${length * 4}: ${expected(contract)} float32 values`,
    );
  }
  const view = new DataView(bytes);
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}

function parseJsonVector(name: string, text: string, contract: RowShape): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${name}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.length !== contract.rawLength) {
    const got = Array.isArray(parsed) ? `an array of ${parsed.length}` : typeof parsed;
    throw new Error(`${name}: got ${got}; expected a JSON array of ${expected(contract)} numbers`);
  }
  const bad = parsed.findIndex((v) => typeof v !== 'number');
  if (bad !== -1) throw new Error(`${name}: element ${bad} is not a number`);
  return parsed as number[];
}
