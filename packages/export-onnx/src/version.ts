import { readFileSync } from 'node:fs';

// package.json sits one level above both src/ (tests) and dist/ (runtime).
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const PRODUCER_NAME = pkg.name;
export const PRODUCER_VERSION = pkg.version;
