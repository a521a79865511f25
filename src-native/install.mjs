#!/usr/bin/env node
// `npm install`: installed as a dependency, use the prebuilt binaries for this platform
// (prebuilds/linux-<arch>/) when the package has them, and build from source only when it
// does not; in the repository itself, always build the sources as they are (also what
// `npm run build:native` runs). A source build keeps only what runs (the addon and the
// init program), not its intermediates.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const inRepository = path.resolve(process.env.INIT_CWD ?? process.cwd()) === root && fs.existsSync(path.join(root, 'test'));

function prebuilt() {
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  try {
    const addon = require('node-gyp-build').resolve(root);
    const init = path.join(path.dirname(addon), 'nsjail-ts-init');
    fs.accessSync(init, fs.constants.X_OK);
    return addon.startsWith(dir) ? addon : null;
  } catch {
    return null;
  }
}

function nodeGyp() {
  // npm hands its own node-gyp to install scripts; in the repository it is a devDependency.
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

/**
 * The running Node's own headers, when its installation has them (Debian's nodejs,
 * NodeSource, the official tarballs): node-gyp then needs no download, which a machine
 * without access to nodejs.org (or a user without npm's nodedir setting) cannot make.
 * Only for exactly this version; npm_config_nodedir, when set, decides instead.
 */
function localNodedir() {
  if (process.env.npm_config_nodedir) return null;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  try {
    const h = fs.readFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => new RegExp(`#define NODE_${k}_VERSION (\\d+)`).exec(h)?.[1]);
    return `v${v.join('.')}` === process.version ? prefix : null;
  } catch {
    return null;
  }
}

function fail(why) {
  console.error(`nsjail-ts: ${why}
  There is no prebuilt binary for ${process.platform}-${process.arch} in this package, so it must be built:
  - install python3, make, a C++17 compiler and the kernel headers
    (Debian/Ubuntu: apt-get install python3 make g++ linux-libc-dev; Fedora: dnf install python3 make gcc-c++ kernel-headers glibc-static);
  - without network access to Node's headers, point node-gyp at local ones: the directory
    holding include/node (e.g. npm_config_nodedir=/usr npm install nsjail-ts when /usr/include/node exists).`);
  process.exit(1);
}

/** After a source build: the two binaries stay, build intermediates go. */
function keepOnlyBinaries() {
  const release = path.join(root, 'build', 'Release');
  for (const entry of fs.readdirSync(path.join(root, 'build'))) if (entry !== 'Release') fs.rmSync(path.join(root, 'build', entry), { recursive: true, force: true });
  for (const entry of fs.readdirSync(release))
    if (entry !== 'nsjail_ts.node' && entry !== 'nsjail-ts-init') fs.rmSync(path.join(release, entry), { recursive: true, force: true });
}

if (!inRepository && prebuilt()) process.exit(0);
const gyp = nodeGyp();
if (!gyp) fail('node-gyp was not found.');
const nodedir = localNodedir();
const r = spawnSync(process.execPath, [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) fail(`building the addon failed (node-gyp exited with ${r.status}).`);
if (!inRepository) keepOnlyBinaries();
