// The main entry is for browsers too: no Node built-ins, no Node globals, no npm dependencies.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('@conv3d/core entry points', () => {
  const main = files(src).filter((f) => !relative(src, f).startsWith('node'));

  it.each(main.map((f) => [relative(src, f), f]))(
    '%s imports only relative modules, no Node globals',
    (_n, file) => {
      const code = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      const specifiers = [...code.matchAll(/from\s+'([^']+)'|import\(\s*'([^']+)'/g)].map(
        (m) => m[1] ?? m[2],
      );
      expect(specifiers.filter((s) => !s?.startsWith('./') && !s?.startsWith('../'))).toEqual([]);
      expect(code).not.toMatch(/\b(process|Buffer|require|__dirname|global)\b/);
    },
  );

  it('has no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.exports['./node']).toMatchObject({ node: './dist/node/index.js' });
  });
});
