/**
 * The fields that shape the container's file system: rootfs, readonlyRootfs,
 * writableRoot, mounts and hidePaths. (What they become, in order, is planned in
 * mounts.ts; fixtures, `files`, in config-files.ts.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors.js';
import type { Namespaces } from './namespaces.js';
import { absPath, bool, describe, flag, int, isPlainObject, keysOf, onlyKnownKeys } from './config-values.js';

/** Mount options every host-backed or scratch mount has (default: nosuid and nodev on). */
export interface MountSafety {
  /** Default true: set-user-id and set-group-id bits (and file capabilities) do nothing. */
  nosuid?: boolean;
  /** Default true: device nodes cannot be opened. */
  nodev?: boolean;
  /** Default false: nothing on the mount can be executed. */
  noexec?: boolean;
}

/** A host file or directory shown at `target` (absolute, inside the container). */
export interface BindMount extends MountSafety {
  type: 'bind';
  source: string;
  target: string;
  readonly?: boolean;
  recursive?: boolean;
  /**
   * Root callers only (default true when container root is not host root): an
   * idmapped mount, so the program owns what the caller owns and what it writes
   * lands on the host as the caller's. `false`: the files keep their host owners,
   * which container ids do not match.
   */
  idmap?: boolean;
}

/** A private tmpfs; `sizeBytes` bounds it (default: the kernel's, half of RAM). */
export interface TmpfsMount extends MountSafety {
  type: 'tmpfs';
  target: string;
  sizeBytes?: number;
  mode?: number;
  readonly?: boolean;
}

/** A procfs (for the container's pid namespace) or a sysfs. */
export interface ProcSysfsMount {
  type: 'proc' | 'sysfs';
  target: string;
  /** Default true: runc's masked and read-only paths (see README, "What a bare { args } gets"). */
  mask?: boolean;
}

/** A devpts (private ptys) or an mqueue (POSIX message queues of the ipc namespace). */
export interface DevptsMqueueMount {
  type: 'devpts' | 'mqueue';
  target: string;
}

/**
 * A copy-on-write view of the host directory `source`: the program may change
 * anything, and every change goes to an upper layer, never to `source`. Without
 * `upperDir` the upper layer is a private tmpfs of `sizeBytes` (default 256 MiB)
 * that vanishes with the container; with it, the changes land in that host
 * directory (empty or new), for the caller to inspect (see Container.changes()).
 */
export interface OverlayMount extends MountSafety {
  type: 'overlay';
  source: string;
  target: string;
  upperDir?: string;
  sizeBytes?: number;
  readonly?: boolean;
  /** Root callers only (default as for a bind): the lower layer idmapped, so that container root may change a copy of what host root owns. */
  idmap?: boolean;
}

/** writableRoot's size: its private upper layer, default 256 MiB. */
export interface WritableRootOption {
  sizeBytes?: number;
}

export type Mount = BindMount | TmpfsMount | ProcSysfsMount | DevptsMqueueMount | OverlayMount;

export interface Filesystem {
  rootfs?: string;
  readonlyRootfs: boolean;
  /** The host view's / as a throwaway copy-on-write overlay (its upper layer's size in bytes), or null. */
  writableRoot: { sizeBytes: number } | null;
  mounts: Mount[];
}

/** An overlay's private upper layer, and writableRoot's, unless given. */
export const OVERLAY_UPPER_BYTES = 256 * 1024 * 1024;

const SAFETY_KEYS = { nosuid: true, nodev: true, noexec: true } as const satisfies Record<keyof MountSafety, true>;
const PROC_SYSFS_KEYS = keysOf<ProcSysfsMount>({ type: true, target: true, mask: true });
const DEVPTS_MQUEUE_KEYS = keysOf<DevptsMqueueMount>({ type: true, target: true });

/** The options each type of mount takes: each type's fields, no more, no fewer (keysOf). */
const MOUNT_OPTIONS: Record<Mount['type'], readonly string[]> = {
  bind: keysOf<BindMount>({ type: true, source: true, target: true, readonly: true, recursive: true, idmap: true, ...SAFETY_KEYS }),
  tmpfs: keysOf<TmpfsMount>({ type: true, target: true, sizeBytes: true, mode: true, readonly: true, ...SAFETY_KEYS }),
  proc: PROC_SYSFS_KEYS,
  sysfs: PROC_SYSFS_KEYS,
  devpts: DEVPTS_MQUEUE_KEYS,
  mqueue: DEVPTS_MQUEUE_KEYS,
  overlay: keysOf<OverlayMount>({ type: true, source: true, target: true, upperDir: true, sizeBytes: true, readonly: true, idmap: true, ...SAFETY_KEYS }),
};

export function validateFilesystem(c: Record<string, unknown>, namespaces: Namespaces): Filesystem {
  const newMount = namespaces.isNew('mount');
  let rootfs: string | undefined;
  if (c.rootfs !== undefined) {
    rootfs = absPath(c.rootfs, 'rootfs');
    if (!newMount) throw new ConfigError('rootfs', "requires a new 'mount' namespace");
  }
  const readonlyRootfs = flag(c.readonlyRootfs, 'readonlyRootfs', false);
  if (readonlyRootfs && rootfs === undefined) throw new ConfigError('readonlyRootfs', 'requires rootfs (the host root is always read-only)');
  const writableRoot = validateWritableRoot(c.writableRoot, rootfs, newMount);
  let mounts: Mount[] = [];
  if (c.mounts !== undefined) {
    if (!Array.isArray(c.mounts)) throw new ConfigError('mounts', 'must be an array');
    mounts = c.mounts.map(validateMount);
    if (mounts.length > 0 && !newMount) throw new ConfigError('mounts', "require a new 'mount' namespace");
    refuseDuplicateTargets(mounts);
  }
  return { rootfs, readonlyRootfs, writableRoot, mounts };
}

function validateWritableRoot(v: unknown, rootfs: string | undefined, newMount: boolean): Filesystem['writableRoot'] {
  if (v === undefined || v === false) return null;
  const f = 'writableRoot';
  let sizeBytes = OVERLAY_UPPER_BYTES;
  if (isPlainObject(v)) {
    onlyKnownKeys(v, keysOf<WritableRootOption>({ sizeBytes: true }), `${f}.`, 'an option of writableRoot');
    if (v.sizeBytes !== undefined) sizeBytes = int(v.sizeBytes, `${f}.sizeBytes`, 4096, Number.MAX_SAFE_INTEGER);
  } else if (v !== true) throw new ConfigError(f, `must be a boolean or { sizeBytes }, got ${describe(v)}`);
  if (rootfs !== undefined) throw new ConfigError(f, "applies to the host view, not to a rootfs (an overlay mount over a folder does that)");
  if (!newMount) throw new ConfigError(f, "requires a new 'mount' namespace");
  if (process.geteuid!() !== 0)
    throw new ConfigError(
      f,
      "needs a root caller: for anyone else the kernel refuses an overlay of / (the host's mounts below it are locked in the container's user namespace), and the host's files belong to ids the container does not have, so it could not change them anyway; give the folders the program writes an overlay each (mounts: [{ type: 'overlay', source, target }])",
    );
  return { sizeBytes };
}

/** Two mounts at one place: the second would hide the first entirely, which is never what was meant. */
function refuseDuplicateTargets(mounts: Mount[]): void {
  const seen = new Map<string, number>();
  mounts.forEach((m, i) => {
    const t = normalTarget(m.target);
    const first = seen.get(t);
    if (first !== undefined) throw new ConfigError(`mounts[${i}].target`, `${JSON.stringify(m.target)} is also the target of mounts[${first}]`);
    seen.set(t, i);
  });
}

/** '/a//b/' -> '/a/b' */
export function normalTarget(p: string): string {
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/**
 * What the program writes on a writable bind or rootfs stays on the host, where a setuid
 * file or a file capability it made would keep working (see config-privileges.ts).
 */
export function writesToHost(fs: Filesystem): boolean {
  return (
    fs.mounts.some((m) => (m.type === 'bind' && !m.readonly) || (m.type === 'overlay' && m.upperDir !== undefined)) ||
    (fs.rootfs !== undefined && !fs.readonlyRootfs)
  );
}

function validateMount(m: unknown, i: number): Mount {
  const f = `mounts[${i}]`;
  if (!isPlainObject(m)) throw new ConfigError(f, 'must be an object');
  const target = absPath(m.target, `${f}.target`);
  if (path.posix.normalize(target) === '/') throw new ConfigError(`${f}.target`, "must not be '/' (use rootfs for the root)");
  const type = m.type;
  if (typeof type !== 'string' || !Object.hasOwn(MOUNT_OPTIONS, type))
    throw new ConfigError(`${f}.type`, `must be one of ${Object.keys(MOUNT_OPTIONS).join(', ')}, got ${describe(type)}`);
  onlyKnownKeys(m, MOUNT_OPTIONS[type as Mount['type']], `${f}.`, `an option of a ${type} mount`);
  switch (type) {
    case 'bind':
      return validateBind(m, f, target);
    case 'tmpfs':
      return validateTmpfs(m, f, target);
    case 'overlay':
      return validateOverlay(m, f, target);
    case 'proc':
    case 'sysfs':
      return { type, target, ...option(m, f, 'mask', bool) };
    default:
      return { type: type as 'devpts' | 'mqueue', target };
  }
}

function validateBind(m: Record<string, unknown>, f: string, target: string): Mount {
  const out: Mount = {
    type: 'bind',
    source: absPath(m.source, `${f}.source`),
    target,
    ...validateSafety(m, f),
    ...option(m, f, 'readonly', bool),
    ...option(m, f, 'recursive', bool),
    ...option(m, f, 'idmap', idmapOption),
  };
  return out;
}

function idmapOption(v: unknown, field: string): boolean {
  const on = bool(v, field);
  if (on && process.geteuid!() !== 0)
    throw new ConfigError(field, 'needs a root caller (only host root may make idmapped mounts); a normal caller already owns what it binds');
  return on;
}

function validateTmpfs(m: Record<string, unknown>, f: string, target: string): Mount {
  return {
    type: 'tmpfs',
    target,
    ...validateSafety(m, f),
    ...option(m, f, 'sizeBytes', (v, field) => int(v, field, 4096, Number.MAX_SAFE_INTEGER)),
    ...option(m, f, 'mode', (v, field) => int(v, field, 0, 0o7777)),
    ...option(m, f, 'readonly', bool),
  };
}

function validateOverlay(m: Record<string, unknown>, f: string, target: string): Mount {
  const source = absPath(m.source, `${f}.source`);
  if (!isDirectory(source)) throw new ConfigError(`${f}.source`, `${JSON.stringify(source)} is not a directory on the host`);
  const out: Mount = {
    type: 'overlay',
    source,
    target,
    ...validateSafety(m, f),
    ...option(m, f, 'upperDir', (v, field) => absPath(v, field)),
    ...option(m, f, 'sizeBytes', (v, field) => int(v, field, 4096, Number.MAX_SAFE_INTEGER)),
    ...option(m, f, 'readonly', bool),
    ...option(m, f, 'idmap', idmapOption),
  };
  if (out.upperDir !== undefined) {
    const upper = normalTarget(out.upperDir);
    const field = `${f}.upperDir`;
    if (upper === '/' || isUnder(upper, normalTarget(source)) || isUnder(normalTarget(source), upper))
      throw new ConfigError(field, `must be outside the source ${JSON.stringify(source)} (and not contain it): overlayfs refuses overlapping layers`);
    if (!isDirectory(path.posix.dirname(upper))) throw new ConfigError(field, `${JSON.stringify(out.upperDir)}: its parent directory does not exist`);
    if (fs.existsSync(upper) && (!isDirectory(upper) || fs.readdirSync(upper).length > 0))
      throw new ConfigError(field, `${JSON.stringify(out.upperDir)} must be an empty directory, or not exist yet`);
    if (out.sizeBytes !== undefined) throw new ConfigError(`${f}.sizeBytes`, 'sizes the private upper layer; with upperDir the changes go to that directory');
  }
  return out;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `p` is `dir` or below it (both normalized). */
export function isUnder(p: string, dir: string): boolean {
  return p === dir || dir === '/' || p.startsWith(`${dir}/`);
}

function validateSafety(m: Record<string, unknown>, f: string): MountSafety {
  return Object.assign({}, ...keysOf<MountSafety>(SAFETY_KEYS).map((k) => option(m, f, k, bool)));
}

/** `{ [key]: checked value }` when the mount gives the option, else nothing (no undefined keys). */
function option<K extends string, T>(m: Record<string, unknown>, f: string, key: K, check: (v: unknown, field: string) => T): Partial<Record<K, T>> {
  return m[key] === undefined ? {} : ({ [key]: check(m[key], `${f}.${key}`) } as Record<K, T>);
}

export function validateHidePaths(v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError('hidePaths', 'must be an array of absolute host paths');
  return v.map((p, i) => {
    const out = absPath(p, `hidePaths[${i}]`);
    if (path.posix.normalize(out) === '/') throw new ConfigError(`hidePaths[${i}]`, "must not be '/'");
    return out;
  });
}
