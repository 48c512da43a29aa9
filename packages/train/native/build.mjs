// Builds the native CPU kernels (binding.gyp) with node-gyp, in three modes:
//   node native/build.mjs              `npm run build` in the repo: rebuild; a failure is reported, not fatal
//                                      (training then falls back to the stock tfjs cpu kernels and says why).
//   node native/build.mjs --prebuild   `prepack`: make sure build/Release is fresh, then copy it to
//                                      prebuilds/<platform>-<arch>/ under prebuildify's file naming, where
//                                      node-gyp-build finds it in the installed package. Fails loudly: a tarball
//                                      without its prebuilt kernels must not be packed.
//   node native/build.mjs --install    the package's install script (run only where the user allows scripts):
//                                      nothing to do when node-gyp-build finds a binary that loads (the shipped
//                                      prebuild, normally); otherwise build here, softly, as in the first mode.
// The addon uses N-API only (NAPI_VERSION in binding.gyp), so one binary serves every Node >= 20. Offline machines
// cannot download Node's headers, so the installed headers next to the running node are used when present.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const nativeDir = join(packageDir, 'native');
const built = join(packageDir, 'build', 'Release', 'conv3d_cpu.node');
const prefix = dirname(dirname(process.execPath));
const require = createRequire(import.meta.url);

/** npm's own node-gyp during lifecycle scripts (npm_config_node_gyp), else the repo's devDependency. */
function nodeGypScript() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    throw new Error('node-gyp not found (neither npm_config_node_gyp nor the node-gyp package)');
  }
}

function build() {
  const args = [nodeGypScript(), 'rebuild', '--release'];
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const result = spawnSync(process.execPath, args, { cwd: packageDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`node-gyp exited with ${result.status ?? result.signal}`);
}

function softBuild() {
  try {
    build();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(
      `conv3d: the native CPU kernels did not build (${reason}); training will fall back to the stock tfjs cpu kernels.`,
    );
  }
}

/** True when build/Release holds an addon newer than binding.gyp and every file in native/. */
function builtIsFresh() {
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const inputs = [join(packageDir, 'binding.gyp'), ...readdirSync(nativeDir).map((f) => join(nativeDir, f))];
  return inputs.every((file) => statSync(file).mtimeMs <= builtAt);
}

/** prebuildify's naming (`<name>.napi[.glibc|.musl].node`), which node-gyp-build's tag matching reads. */
function prebuildPath() {
  const libc =
    process.platform === 'linux'
      ? process.report?.getReport().header.glibcVersionRuntime
        ? '.glibc'
        : '.musl'
      : '';
  return join(packageDir, 'prebuilds', `${process.platform}-${process.arch}`, `conv3d_cpu.napi${libc}.node`);
}

function prebuild() {
  if (!builtIsFresh()) build();
  const target = prebuildPath();
  mkdirSync(dirname(target), { recursive: true });
  // Copy then rename: an interrupted pack never leaves a truncated binary where the loader looks.
  copyFileSync(built, `${target}.tmp-${process.pid}`);
  renameSync(`${target}.tmp-${process.pid}`, target);
  // stderr: `npm pack --json` owns stdout.
  console.error(`conv3d: prebuilt kernels at ${target.slice(packageDir.length + 1)}`);
}

function loadableBinary() {
  try {
    require(require('node-gyp-build').path(packageDir));
    return true;
  } catch {
    return false;
  }
}

const mode = process.argv[2];
if (mode === '--prebuild') {
  try {
    prebuild();
  } catch (error) {
    console.error(`conv3d: no prebuilt kernels: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
} else if (mode === '--install') {
  if (!loadableBinary()) softBuild();
} else if (mode === undefined) softBuild();
else {
  console.error(`usage: node native/build.mjs [--prebuild | --install] (got ${mode})`);
  process.exit(2);
}
