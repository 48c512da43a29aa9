// How users meet the packages: `npm pack` every public workspace, install the tarballs together into a fresh app
// outside the repo (npm registry only for everything else), and measure what they add to node_modules. Shared by
// the packaging test (test/install.test.ts) and the figures script (test/install/measure.mjs). Plain ESM so that
// both a vitest test and a bare `node` script import the same copy.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_TEMPLATE = fileURLToPath(new URL('./app/', import.meta.url));

/**
 * @typedef {{ name: string, private?: boolean, type?: string, license?: string, engines?: { node?: string },
 *   repository?: { type?: string, url?: string, directory?: string }, exports?: Record<string, unknown>,
 *   bin?: Record<string, string>, files?: string[] }} Manifest
 */

/**
 * Every workspace that is not private: the packages users install. Read from the root package.json, so a new
 * public package is checked as soon as it is a workspace.
 * @returns {{ name: string, dir: string, manifest: Manifest }[]}
 */
export function publicPackages() {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  return root.workspaces
    .map((workspace) => {
      const dir = join(REPO_ROOT, workspace);
      return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
    })
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir, manifest }));
}

/**
 * The environment for a child npm: none of the parent npm's `npm_*` variables (under `npm test` they point at
 * the repo), and onnxruntime-node's CUDA download skipped (it would abort an offline install).
 */
export function npmEnv() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_onnxruntime_node_install: 'skip' };
}

function run(command, args, cwd, what) {
  const result = spawnSync(command, args, { cwd, env: npmEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    const tail = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `${what} failed (${command} ${args.join(' ')} in ${cwd}, exit ${result.status}):\n${tail}`,
    );
  }
  return result;
}

/**
 * Packs each public package into `dest` (`prepack` scripts run: train writes its prebuilt kernels).
 * @param {string} dest
 * @returns {{ name: string, dir: string, tarball: string, bytes: number, unpackedBytes: number, files: string[] }[]}
 *   bytes: the .tgz's size; files: the paths inside it
 */
export function packAll(dest, packages = publicPackages()) {
  mkdirSync(dest, { recursive: true });
  return packages.map(({ name, dir }) => {
    const { stdout } = run('npm', ['pack', '--json', '--pack-destination', dest], dir, `npm pack of ${name}`);
    const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
    return {
      name,
      dir,
      tarball: join(dest, info.filename),
      bytes: info.size,
      unpackedBytes: info.unpackedSize,
      files: info.files.map((file) => file.path),
    };
  });
}

/**
 * Writes `appDir/package.json` depending on the given tarballs (by file path) and registry packages, then
 * `npm install`s it, preferring npm's cache (the repo's `npm ci` filled it).
 * @param {string} appDir
 * @param {readonly { name: string, tarball: string }[]} tarballs
 * @param {Record<string, string>} [registryDeps]
 * @returns {number} the seconds `npm install` took
 */
export function installApp(appDir, tarballs, registryDeps = {}) {
  mkdirSync(appDir, { recursive: true });
  const dependencies = {
    ...Object.fromEntries(tarballs.map(({ name, tarball }) => [name, `file:${tarball}`])),
    ...registryDeps,
  };
  const manifest = { name: 'conv3d-user-app', version: '1.0.0', private: true, type: 'module', dependencies };
  writeFileSync(join(appDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const start = performance.now();
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], appDir, `npm install in ${appDir}`);
  return (performance.now() - start) / 1000;
}

/** Copies the user-app files (Node scripts, the web page) next to an installed app's package.json. */
export function copyAppTemplate(appDir) {
  cpSync(APP_TEMPLATE, appDir, { recursive: true });
}

/** Apparent size of a package folder, its own node_modules left out (those count as packages of their own). */
function packageBytes(dir, top = true) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (top && entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? packageBytes(path, false) : lstatSync(path).size;
  }
  return total;
}

/** Node's resolution of package `name` from folder `from`, not above `appDir`; undefined when not installed. */
function resolvePackage(from, name, appDir) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === appDir || dirname(dir) === dir) return undefined;
  }
}

/**
 * The installed dependency closure of `name` in `appDir`: Map of package folder → { name, bytes }. Optional
 * dependencies and required peers count when npm installed them; optional peers do not.
 */
export function dependencyClosure(appDir, name) {
  const closure = new Map();
  const visit = (from, dep) => {
    const dir = resolvePackage(from, dep, appDir);
    if (dir === undefined || closure.has(dir)) return;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    closure.set(dir, { name: manifest.name, bytes: packageBytes(dir) });
    // npm installs required peers on its own but optional ones only when something else asks for them: in an
    // app of its own an optional peer would be absent, so it is not part of what the package adds.
    const optionalPeers = Object.entries(manifest.peerDependenciesMeta ?? {}).filter(
      ([, meta]) => meta?.optional,
    );
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter(
      (peer) => !optionalPeers.some(([name]) => name === peer),
    );
    const deps = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...peers,
    ];
    for (const child of deps) visit(dir, child);
  };
  visit(appDir, name);
  return closure;
}

/**
 * What an app depending on `name` adds to node_modules beyond an app depending on `baseline` alone: the bytes of
 * `name`'s installed closure minus `baseline`'s, and the packages that make it up, largest first.
 * @param {string} appDir
 * @param {string} name
 * @param {string} baseline
 * @returns {{ bytes: number, packages: { name: string, bytes: number }[] }}
 */
export function addedBeyond(appDir, name, baseline) {
  const base = dependencyClosure(appDir, baseline);
  const extra = [...dependencyClosure(appDir, name)]
    .filter(([dir]) => !base.has(dir))
    .map(([, info]) => info);
  extra.sort((a, b) => b.bytes - a.bytes);
  return { bytes: extra.reduce((sum, p) => sum + p.bytes, 0), packages: extra };
}
