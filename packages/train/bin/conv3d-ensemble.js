#!/usr/bin/env node
// npm links bins at install time, before dist/ is built; this committed shim always exists.
await import('../dist/ensemble/cli.js');
