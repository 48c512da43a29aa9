// Reads a user's vector file: a JSON array of 4096 numbers, or 4096 little-endian float32 values (.bin).
// Values are checked (finite, right count) by the classifier's own validation; this only decodes.
import { SEED_CONTRACT } from '@conv3d/core';

// The demo's samples and files are 3D MNIST rows.
const VOXELS = SEED_CONTRACT.rawLength;

export function parseVectorFile(name: string, bytes: ArrayBuffer): Float32Array | number[] {
  if (name.toLowerCase().endsWith('.json')) return parseJsonVector(name, new TextDecoder().decode(bytes));
  if (bytes.byteLength !== VOXELS * 4) {
    throw new Error(`${name}: ${bytes.byteLength} bytes; expected ${VOXELS * 4} (${VOXELS} float32 values)`);
  }
  const view = new DataView(bytes);
  const values = new Float32Array(VOXELS);
  for (let i = 0; i < VOXELS; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}

function parseJsonVector(name: string, text: string): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${name}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.length !== VOXELS) {
    const got = Array.isArray(parsed) ? `an array of ${parsed.length}` : typeof parsed;
    throw new Error(`${name}: got ${got}; expected a JSON array of ${VOXELS} numbers`);
  }
  const bad = parsed.findIndex((v) => typeof v !== 'number');
  if (bad !== -1) throw new Error(`${name}: element ${bad} is not a number`);
  return parsed as number[];
}
