import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { withSupportedLayers } from '../src/docs.js';
import { REGISTRY } from '../src/index.js';

it('the README supported-layers table is the one generated from the registry (npm run docs)', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toBe(withSupportedLayers(readme));
  for (const className of REGISTRY.keys()) expect(readme).toContain(className);
});
