// The size measure behind the packaging figures, on a hand-made node_modules tree whose answer is known.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addedBeyond, dependencyClosure } from './install/packaging.mjs';

const app = mkdtempSync(join(tmpdir(), 'conv3d-sizes-'));

/** Writes a package folder with a manifest and one payload file of `bytes` bytes; returns the manifest's size. */
function pkg(dir: string, manifest: Record<string, unknown>, bytes: number): number {
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(manifest);
  writeFileSync(join(dir, 'package.json'), text);
  writeFileSync(join(dir, 'payload.bin'), new Uint8Array(bytes));
  return text.length + bytes;
}

const nm = join(app, 'node_modules');
const sizes = {
  a: pkg(
    join(nm, 'a'),
    {
      name: 'a',
      dependencies: { b: '1', g: '1' },
      optionalDependencies: { c: '1', missing: '1' },
      peerDependencies: { d: '1', e: '1' },
      peerDependenciesMeta: { d: { optional: true } },
    },
    1000,
  ),
  g: pkg(join(nm, 'a', 'node_modules', 'g'), { name: 'g' }, 70),
  b: pkg(join(nm, 'b'), { name: 'b' }, 200),
  c: pkg(join(nm, 'c'), { name: 'c' }, 30),
  d: pkg(join(nm, 'd'), { name: 'd' }, 5000),
  e: pkg(join(nm, 'e'), { name: 'e' }, 40),
  f: pkg(join(nm, 'f'), { name: 'f', dependencies: { b: '1' } }, 9000),
};

afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('dependencyClosure / addedBeyond', () => {
  it('follows dependencies, installed optional ones and required peers; nested copies count once, apart', () => {
    const closure = dependencyClosure(app, 'a');
    const byName = Object.fromEntries([...closure.values()].map((p) => [p.name, p.bytes]));
    expect(byName).toEqual({ a: sizes.a, g: sizes.g, b: sizes.b, c: sizes.c, e: sizes.e });
  });

  it('leaves out what the baseline app installs too, largest first', () => {
    const added = addedBeyond(app, 'a', 'f');
    expect(added.packages.map((p) => p.name)).toEqual(['a', 'g', 'e', 'c']);
    expect(added.bytes).toBe(sizes.a + sizes.g + sizes.c + sizes.e);
  });
});
