// Generated volumes for the segmentation view, the browser tests and the benchmark: one channel, values in [0, 1].
// Each is made from its name alone (seeded), so a test in Node knows what the page segments.
import { mulberry32, type Size3, type Volume } from '@conv3d/core';

export interface Phantom {
  readonly name: string;
  readonly title: string;
  readonly dims: Size3;
  make(): Volume;
}

/** The threshold segmenter's three bands: background 0.1, shell 0.5, core 0.9 (see test-segmenters.mjs). */
export const BAND_VALUES = [0.1, 0.5, 0.9] as const;

/** Nested spheres off the centre: a core (band 2) inside a shell (band 1). */
export function sphereBand(dims: Size3, z: number, y: number, x: number): 0 | 1 | 2 {
  const [d, h, w] = dims;
  const r = Math.hypot((z - d * 0.45) / d, (y - h * 0.5) / h, (x - w * 0.55) / w);
  return r < 0.18 ? 2 : r < 0.34 ? 1 : 0;
}

function spheres(dims: Size3): Volume {
  const [d, h, w] = dims;
  const data = new Float32Array(d * h * w);
  for (let z = 0, i = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, i++) data[i] = BAND_VALUES[sphereBand(dims, z, y, x)];
  return { data, dims };
}

/** Seeded Gaussian blobs over low noise: smooth intensities that cross every band. */
export function blobs(dims: Size3, seed: number, count = 6): Volume {
  const next = mulberry32(seed);
  const [d, h, w] = dims;
  const centres = Array.from({ length: count }, () => [next() * d, next() * h, next() * w] as const);
  const width = 2 * (Math.min(d, h, w) / 5) ** 2;
  const data = new Float32Array(d * h * w);
  for (let z = 0, i = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, i++) {
        let v = 0.15 * next();
        for (const [cz, cy, cx] of centres) {
          v = Math.max(v, Math.exp(-((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2) / width));
        }
        data[i] = v;
      }
  return { data, dims };
}

export const PHANTOMS: readonly Phantom[] = [
  {
    name: 'spheres',
    title: 'Nested spheres 48×64×56',
    dims: [48, 64, 56],
    make: () => spheres([48, 64, 56]),
  },
  { name: 'blobs', title: 'Blobs 64×80×96', dims: [64, 80, 96], make: () => blobs([64, 80, 96], 3) },
  {
    name: 'blobs-128',
    title: 'Blobs 128³',
    dims: [128, 128, 128],
    make: () => blobs([128, 128, 128], 4, 12),
  },
];

export function findPhantom(name: string): Phantom {
  const found = PHANTOMS.find((p) => p.name === name);
  if (found === undefined)
    throw new Error(`no volume '${name}'; known: ${PHANTOMS.map((p) => p.name).join(', ')}`);
  return found;
}
