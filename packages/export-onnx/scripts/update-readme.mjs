// Regenerates the README's supported-layers table from the converter registry (run after a build).
import { readFile, writeFile } from 'node:fs/promises';
import { withSupportedLayers } from '../dist/docs.js';

const readme = new URL('../README.md', import.meta.url);
const before = await readFile(readme, 'utf8');
const after = withSupportedLayers(before);
await writeFile(readme, after);
console.log(before === after ? 'README.md already up to date' : 'README.md supported-layers table updated');
