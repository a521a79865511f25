/**
 * Fixtures in the mount plan, and their contents on the way to the container.
 *
 * Each fixture goes where its path lands once everything is mounted: on a tmpfs, an
 * overlay or the writable root. In the read-only host view, the topmost directory of its
 * path that the host lacks gets a tmpfs of its own (/app for /app/main.py; sized like
 * /tmp, owned by the container's user); a path whose directories all exist on the host
 * (/etc/app.conf) cannot be written without hiding what the host has there, and is a
 * ConfigError that names the fixes. A bind or a rootfs is the host's own storage: no
 * fixture is written through one.
 *
 * The contents travel in one sealed memfd (src-native/common/fd_layout.h); each File
 * mount operation names its slice. Big contents are written from the threadpool.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors.js';
import type { Fixture } from './config-files.js';
import { isUnder } from './config-filesystem.js';
import { MountFlag, MountKind, native, type MountSpec } from './native.js';

/** What a mount (or the root) is to a fixture under it. */
export type Region = 'hostView' | 'scratch' | 'writable' | 'host' | 'readonly' | 'special';

/** A mount of the plan, in mount order: its target, what it is, and how to name it in an error. */
export interface Place {
  target: string;
  region: Region;
  what: string;
}

const field = (p: string) => `files[${JSON.stringify(p)}]`;

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The topmost directory on the way to `p` that the host does not have. */
function topmostMissing(p: string): string | undefined {
  const parts = p.split('/').filter(Boolean).slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    if (!exists(dir)) return dir;
  }
  return undefined;
}

function refuse(fx: Fixture, holder: Place): never {
  const f = field(fx.path);
  switch (holder.region) {
    case 'hostView':
      throw new ConfigError(
        f,
        `lies in the read-only host view, in ${path.posix.dirname(fx.path)}, which the host has; mount a tmpfs or an overlay over it ` +
          `(mounts: [{ type: 'overlay', source: '${path.posix.dirname(fx.path)}', target: '${path.posix.dirname(fx.path)}' }]), or set writableRoot: true`,
      );
    case 'host':
      throw new ConfigError(f, `lies in ${holder.what}, which is the host's storage: fixtures go only to the container's own (a tmpfs, an overlay)`);
    case 'readonly':
      throw new ConfigError(f, `lies in ${holder.what}, which is read-only`);
    default:
      throw new ConfigError(f, `lies in ${holder.what}, where no file can be written`);
  }
}

/**
 * The tmpfs mounts fixtures need (before the user's mounts) and the File operations that
 * write them (after every mount). `places` start with the root ('/').
 */
export function planFixtures(
  fixtures: Fixture[],
  places: Place[],
  owner: { uid: number; gid: number },
  tmpBytes: number,
): { tmpfs: MountSpec[]; files: MountSpec[] } {
  const tmpfs = new Map<string, MountSpec>();
  const files: MountSpec[] = [];
  let offset = 0;
  const total = fixtures.reduce((n, fx) => n + fx.content.length, 0);
  for (const fx of fixtures) {
    const holder = places.filter((pl) => isUnder(fx.path, pl.target)).at(-1)!;
    if (holder.target === fx.path) throw new ConfigError(field(fx.path), `is the target of ${holder.what}`);
    const below = places.find((pl) => pl.target !== fx.path && isUnder(pl.target, fx.path));
    if (below) throw new ConfigError(field(fx.path), `is a file, but ${below.what} needs it to be a directory`);
    if (holder.region === 'hostView') {
      const dir = topmostMissing(fx.path);
      if (dir === undefined) refuse(fx, holder);
      if (![...tmpfs.keys()].some((t) => isUnder(dir, t)))
        tmpfs.set(dir, {
          kind: MountKind.Tmpfs,
          target: dir,
          mode: 0o755,
          size: Math.max(tmpBytes, total + (1 << 20)),
          data: `uid=${owner.uid},gid=${owner.gid}`,
          flags: MountFlag.Nosuid | MountFlag.Nodev,
        });
    } else if (holder.region !== 'scratch' && holder.region !== 'writable') refuse(fx, holder);
    files.push({ kind: MountKind.File, target: fx.path, mode: fx.mode, size: fx.content.length, offset });
    offset += fx.content.length;
  }
  return { tmpfs: [...tmpfs.values()], files };
}

/** Up to this much is written at once, on the JS thread; more goes through the threadpool. */
const SYNC_BYTES = 1 << 20;
const CHUNK = 8 << 20;

function writeAsync(fd: number, buf: Uint8Array, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, buf, 0, buf.length, position, (e, n) => (e ? reject(e) : resolve(n))));
}

/** The fixtures' contents in a sealed memfd, in plan order (undefined: none). Ours to close, or the addon's once handed to a spawn. */
export async function fixturesMemfd(fixtures: Fixture[]): Promise<number | undefined> {
  if (fixtures.length === 0) return undefined;
  const fd = native.memfdCreate('nsjail-ts-files');
  try {
    const total = fixtures.reduce((n, fx) => n + fx.content.length, 0);
    let position = 0;
    // Small: all of it in one system call, here. A memfd takes a whole writev at once.
    if (total <= SYNC_BYTES) position = fs.writevSync(fd, fixtures.map((fx) => fx.content), 0);
    for (const fx of total <= SYNC_BYTES ? [] : fixtures) {
      for (let at = 0; at < fx.content.length; ) {
        const n = await writeAsync(fd, fx.content.subarray(at, at + CHUNK), position);
        at += n;
        position += n;
      }
    }
    if (position !== total) throw new Error(`nsjail-ts: wrote ${position} of ${total} bytes of fixtures`);
    native.memfdSeal(fd);
    return fd;
  } catch (e) {
    native.close(fd);
    throw e;
  }
}
