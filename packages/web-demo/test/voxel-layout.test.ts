// The demo's 3D view layout on non-cubic grids and several channels: positions follow the 'dhwc' row order.
import { orangesRgb, SEED_CONTRACT } from '@conv3d/core';
import { describe, expect, it } from 'vitest';
import { voxelLayout } from '../demo/voxel-layout.js';

describe('voxelLayout', () => {
  it('places voxel (d, h, w) of a 12×10×8 grid at (w, h, d) centred on the origin', () => {
    const shape = { grid: [12, 10, 8] as const, rawChannels: 1 };
    const values = new Float32Array(960);
    const index = (d: number, h: number, w: number): number => (d * 10 + h) * 8 + w;
    values[index(0, 0, 0)] = 0.5;
    values[index(11, 9, 7)] = 1;
    values[index(3, 2, 5)] = 0.25;
    const layout = voxelLayout(values, shape);
    expect(layout.count).toBe(3);
    expect([...layout.positions]).toEqual([-3.5, -4.5, -5.5, 1.5, -2.5, -2.5, 3.5, 4.5, 5.5]);
    // Colours are the Oranges map autoscaled over the sample, as the seed's preprocessing does.
    const rgb = new Float32Array(960 * 3);
    orangesRgb.apply(values, 0, 960, 1, rgb, 0);
    expect([...layout.colors.subarray(6, 9)]).toEqual([
      ...rgb.subarray(index(11, 9, 7) * 3, index(11, 9, 7) * 3 + 3),
    ]);
  });

  it('draws a voxel non-zero in any channel, coloured by its channel mean', () => {
    const shape = { grid: [2, 3, 4] as const, rawChannels: 2 };
    const values = new Float32Array(48);
    values[2 * 5 + 1] = 0.8; // voxel 5, channel 1
    values[2 * 23] = 0.4; // voxel 23 (the last), channel 0
    const layout = voxelLayout(values, shape);
    expect(layout.count).toBe(2);
    expect([...layout.positions]).toEqual([-0.5, 0, -0.5, 1.5, 1, 0.5]);
    expect(layout.colors[0]).not.toBe(layout.colors[3]);
  });

  it('the seed grid is 16³ as before: raw index x + 16y + 256z', () => {
    const values = new Float32Array(4096);
    values[1 + 16 * 2 + 256 * 3] = 1;
    expect([...voxelLayout(values, SEED_CONTRACT).positions]).toEqual([-6.5, -5.5, -4.5]);
  });
});

describe('voxelLayout on dense samples', () => {
  it('draws only the upper half of the value range when most voxels are non-zero', () => {
    const values = Float32Array.from({ length: 960 }, (_, i) => 0.1 + (i % 10) / 100);
    values[17] = 1;
    const layout = voxelLayout(values, { grid: [12, 10, 8], rawChannels: 1 });
    expect(layout.count).toBe(1);
  });
});
