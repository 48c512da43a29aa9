// What a user (and the npm registry) reads of each public package before installing it: repository, license,
// engines, typed exports, a files list, and a short "Install and use" section in its README.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicPackages, REPO_ROOT } from './install/packaging.mjs';

const INSTALL_AND_USE_MAX_LINES = 10;

/** The lines of a README's "## Install and use" section, blank lines at either end left out; null when absent. */
function installAndUse(readme: string): string[] | null {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.trim() === '## Install and use');
  if (start < 0) return null;
  const next = lines.findIndex((line, i) => i > start && /^#{1,2} /.test(line));
  const body = lines.slice(start + 1, next < 0 ? lines.length : next);
  while (body.length > 0 && body[0]?.trim() === '') body.shift();
  while (body.length > 0 && body.at(-1)?.trim() === '') body.pop();
  return body;
}

describe('installAndUse', () => {
  it('takes the section up to the next heading and trims blank lines', () => {
    const readme = '# x\n\n## Install and use\n\n```js\na\n```\n\n## API\nb\n';
    expect(installAndUse(readme)).toEqual(['```js', 'a', '```']);
    expect(installAndUse('# x\n## Usage\n')).toBeNull();
  });
});

const packages = publicPackages();

it('finds the public packages', () => {
  expect(packages.map((p) => p.name)).toEqual(
    expect.arrayContaining([
      '@conv3d/core',
      '@conv3d/data',
      '@conv3d/train',
      '@conv3d/export-onnx',
      '@conv3d/infer-node',
      '@conv3d/infer-web',
    ]),
  );
});

describe.each(packages)('$name', ({ dir, manifest }) => {
  it('names its repository folder, license and Node engines', () => {
    expect(manifest.repository?.type).toBe('git');
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(manifest.repository?.directory).toBe(relative(REPO_ROOT, dir));
    expect(manifest.license).toBe('MIT');
    expect(manifest.engines?.node).toBe('>=20');
    expect(manifest.type).toBe('module');
  });

  it('exports types for every entry point and lists the files it ships', () => {
    const entries = Object.entries(manifest.exports ?? {}).filter(([, target]) => typeof target === 'object');
    expect(entries.length).toBeGreaterThan(0);
    for (const [subpath, target] of entries) {
      const conditions = target as Record<string, string>;
      expect(conditions.types, `${manifest.name} exports["${subpath}"]`).toMatch(/^\.\/dist\/.+\.d\.ts$/);
      // A Node-only entry (core's `./node`) resolves under the `node` condition alone, so bundlers for browsers fail.
      const runtime = conditions.default ?? conditions.node;
      expect(runtime, `${manifest.name} exports["${subpath}"]`).toMatch(/^\.\/dist\//);
    }
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', '!dist/**/*.map']));
  });

  it(`has an "Install and use" README section of at most ${INSTALL_AND_USE_MAX_LINES} lines`, () => {
    const section = installAndUse(readFileSync(join(dir, 'README.md'), 'utf8'));
    expect(section, `${manifest.name} README.md has no "## Install and use" section`).not.toBeNull();
    expect(section?.length).toBeGreaterThan(0);
    expect(section?.length).toBeLessThanOrEqual(INSTALL_AND_USE_MAX_LINES);
    expect(section?.join('\n')).toContain(manifest.name);
  });
});
