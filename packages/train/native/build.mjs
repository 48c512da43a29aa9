// Builds the optional native kernels with node-gyp. Offline machines cannot download Node's
// headers, so the installed headers next to the running node are used when present. A failed
// build is reported but does not fail the package build: at run time the fast CPU backend then
// uses tfjs's stock cpu kernels (correct, slow) and says so in its `kernels` field.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const prefix = dirname(dirname(process.execPath));

function build() {
  const nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  const args = [nodeGyp, 'rebuild', '--release'];
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const result = spawnSync(process.execPath, args, { cwd: packageDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`node-gyp exited with ${result.status ?? result.signal}`);
}

try {
  build();
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  console.warn(
    `conv3d: the native CPU kernels did not build (${reason}); training will fall back to the stock tfjs cpu kernels.`,
  );
}
