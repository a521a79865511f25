#!/usr/bin/env node
// `npm pack` (prepack): the prebuilt binaries the package ships, so that installing it
// needs no compiler and no Node headers. For linux-x64 (this machine) and linux-arm64
// (cross-built when Debian's cross toolchain is installed: g++-aarch64-linux-gnu,
// binutils-aarch64-linux-gnu, libc6-dev-arm64-cross), with prebuildify:
//
//   prebuilds/linux-<arch>/nsjail-ts.glibc.node   the addon (N-API, stripped)
//   prebuilds/linux-<arch>/nsjail-ts-init         the init program, static, mode 0755
//
// Each addon is checked against the glibc floor (GLIBC_FLOOR): no symbol of a newer glibc.
// The host's architecture is built last, so build/Release is left as this machine needs.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const GLIBC_FLOOR = '2.28';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hostArch = process.arch;

// The tools' prefix for each architecture built on another (only linux-arm64, from x64).
const cross = { arm64: 'aarch64-linux-gnu-' };

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** The highest GLIBC_x.y version an ELF file's dynamic symbols need (null: none). */
function glibcNeeded(file, objdump) {
  const out = execFileSync(objdump, ['-T', file], { encoding: 'utf8' });
  const versions = [...out.matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]);
  if (!versions.length) return null;
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return versions.at(-1).filter((n, i) => i < 2 || n).join('.');
}

function newer(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
}

function build(arch) {
  const prefix = arch === hostArch ? '' : cross[arch];
  const env = { ...process.env };
  if (arch !== hostArch) {
    env.CC = `${prefix}gcc`;
    env.CXX = `${prefix}g++`;
    env.LINK = `${prefix}g++`;
    env.AR = `${prefix}ar`;
    env.PREBUILD_STRIP_BIN = `${prefix}strip`;
  }
  console.log(`prebuild: linux-${arch}${arch === hostArch ? '' : ' (cross)'}`);
  const prebuildify = path.join(root, 'node_modules', 'prebuildify', 'bin.js');
  const r = spawnSync(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc', '--arch', arch, '-t', process.versions.node], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`prebuildify for linux-${arch} failed (exit ${r.status})`);
  const dir = path.join(root, 'prebuilds', `linux-${arch}`);
  const init = path.join(dir, 'nsjail-ts-init');
  fs.copyFileSync(path.join(root, 'build', 'Release', 'nsjail-ts-init'), init);
  execFileSync(`${prefix}strip`, [init]);
  fs.chmodSync(init, 0o755);
  const addon = path.join(dir, 'nsjail-ts.glibc.node');
  const needed = glibcNeeded(addon, `${prefix}objdump`);
  if (needed && newer(needed, GLIBC_FLOOR)) throw new Error(`${addon} needs glibc ${needed}, above the floor ${GLIBC_FLOOR}`);
  const staticInit = !/NEEDED/.test(execFileSync(`${prefix}objdump`, ['-p', init], { encoding: 'utf8' }));
  console.log(`prebuild: linux-${arch}: addon needs glibc ${needed ?? '(none)'}; init program ${staticInit ? 'static' : 'dynamic'}`);
}

const archs = [];
if (hostArch === 'x64' && have(`${cross.arm64}g++`)) archs.push('arm64');
else if (hostArch === 'x64') console.log('prebuild: no aarch64-linux-gnu-g++: linux-arm64 is not built (apt-get install g++-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross)');
archs.push(hostArch); // last: build/Release is left as this machine needs it
for (const arch of archs) build(arch);
// prebuildify moved the addon out of build/Release: put this machine's back for development.
fs.copyFileSync(path.join(root, 'prebuilds', `linux-${hostArch}`, 'nsjail-ts.glibc.node'), path.join(root, 'build', 'Release', 'nsjail_ts.node'));
