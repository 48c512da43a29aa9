// A disk that fills while the checkpoint is written: the real atomic write, whose temporary file runs out of space
// halfway (ENOSPC after half the bytes), must leave the previous checkpoint byte for byte and no partial file, and
// say so in one line. (A real full filesystem needs a mount these test machines don't allow.)
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test, vi } from 'vitest';

const disk = vi.hoisted(() => ({ full: false }));

vi.mock('@conv3d/core/node', async (importOriginal) => {
  const real = await importOriginal<typeof import('@conv3d/core/node')>();
  return {
    ...real,
    writeFileAtomic: (file: string, data: string | Uint8Array) =>
      real.writeAtomicSync(file, (tmp) => {
        if (!disk.full) return writeFileSync(tmp, data);
        writeFileSync(tmp, data.slice(0, Math.floor(data.length / 2)));
        throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
      }),
  };
});

const { selectBackend } = await import('../src/backend.js');
const { CheckpointError, saveCheckpoint } = await import('../src/checkpoint.js');
const { emptyHistory } = await import('../src/history.js');
const { buildModel } = await import('../src/model.js');
const { tinyConfig } = await import('./tiny-config.js');

beforeAll(async () => {
  await selectBackend('cpu');
});

test('ENOSPC mid-checkpoint: one line saying so, the previous checkpoint intact, no temporary file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conv3d-ckpt-full-'));
  const file = join(dir, 'checkpoint.bin');
  const model = buildModel(tinyConfig());
  const state = { fingerprint: 'f', epochsDone: 1, history: emptyHistory(), epochSeconds: [1] };
  await saveCheckpoint(file, model, state);
  const before = readFileSync(file);
  disk.full = true;
  const error = await saveCheckpoint(file, model, { ...state, epochsDone: 2 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as Error).message).toBe(
    `${file}: disk full while writing the checkpoint; nothing half-written was left and the previous checkpoint is intact`,
  );
  expect(readFileSync(file).equals(before)).toBe(true);
  expect(readdirSync(dir)).toEqual(['checkpoint.bin']);
  model.dispose();
});
