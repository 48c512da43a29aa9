// Step 6 of the recipe (after jirvin16/3D-MNIST-Classification data_augment.py): a randomly rotated, jittered copy
// of an upright cloud. Angles ~ N(0, 90°) about x and y, N(0, 180°) about z, applied as cloud·Rz·Ry·Rx; then
// uniform noise in ±0.25·std on each axis.
import type { Rng } from '@conv3d/core';
import type { CloudBuffer } from './point-cloud.js';

const NOISE_STRENGTH = 0.25;
const DEG = Math.PI / 180;

type Matrix3 = [number, number, number, number, number, number, number, number, number];

function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9).fill(0) as Matrix3;
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += (a[r * 3 + k] as number) * (b[k * 3 + c] as number);
      out[r * 3 + c] = sum;
    }
  }
  return out;
}

/** The row-vector rotation cloud·Rz(z)·Ry(y)·Rx(x), angles in degrees, matrices as data_augment.py writes them. */
export function rotationMatrix(xDeg: number, yDeg: number, zDeg: number): Matrix3 {
  const [cx, sx] = [Math.cos(xDeg * DEG), Math.sin(xDeg * DEG)];
  const [cy, sy] = [Math.cos(yDeg * DEG), Math.sin(yDeg * DEG)];
  const [cz, sz] = [Math.cos(zDeg * DEG), Math.sin(zDeg * DEG)];
  const rx: Matrix3 = [1, 0, 0, 0, cx, sx, 0, -sx, cx];
  const ry: Matrix3 = [cy, 0, -sy, 0, 1, 0, sy, 0, cy];
  const rz: Matrix3 = [cz, sz, 0, -sz, cz, 0, 0, 0, 1];
  return multiply(multiply(rz, ry), rx);
}

/** Copies `source` into `out`, rotated and jittered with draws from `rng` (three angles, then x, y, z noise per point). */
export function augmentCloud(source: CloudBuffer, out: CloudBuffer, rng: Rng): void {
  const m = rotationMatrix(rng.normal(0, 90), rng.normal(0, 90), rng.normal(0, 180));
  const n = source.count;
  const { x, y, z } = source;
  const { x: ox, y: oy, z: oz } = out;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    const yi = y[i] as number;
    const zi = z[i] as number;
    const rx = xi * m[0] + yi * m[3] + zi * m[6];
    const ry = xi * m[1] + yi * m[4] + zi * m[7];
    const rz = xi * m[2] + yi * m[5] + zi * m[8];
    ox[i] = rx;
    oy[i] = ry;
    oz[i] = rz;
    sx += rx;
    sy += ry;
    sz += rz;
  }
  out.count = n;
  const mx = sx / n;
  const my = sy / n;
  const mz = sz / n;
  let vx = 0;
  let vy = 0;
  let vz = 0;
  for (let i = 0; i < n; i++) {
    const dx = (ox[i] as number) - mx;
    const dy = (oy[i] as number) - my;
    const dz = (oz[i] as number) - mz;
    vx += dx * dx;
    vy += dy * dy;
    vz += dz * dz;
  }
  // Noise amplitude: 0.25 × the population standard deviation of each axis.
  const ax = Math.sqrt(vx / n) * NOISE_STRENGTH;
  const ay = Math.sqrt(vy / n) * NOISE_STRENGTH;
  const az = Math.sqrt(vz / n) * NOISE_STRENGTH;
  for (let i = 0; i < n; i++) {
    ox[i] = (ox[i] as number) + rng.uniform32(-ax, ax);
    oy[i] = (oy[i] as number) + rng.uniform32(-ay, ay);
    oz[i] = (oz[i] as number) + rng.uniform32(-az, az);
  }
}
