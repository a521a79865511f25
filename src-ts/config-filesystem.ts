/**
 * The fields that shape the container's file system: rootfs, readonlyRootfs, mounts
 * and hidePaths. (What they become, in order, is planned in mounts.ts.)
 */
import * as path from 'node:path';
import { ConfigError } from './errors.js';
import type { Namespaces } from './namespaces.js';
import { absPath, bool, describe, flag, int, isPlainObject, onlyKnownKeys } from './config-values.js';

/** Mount options every host-backed or scratch mount has (default: nosuid and nodev on). */
export interface MountSafety {
  /** Default true: set-user-id and set-group-id bits (and file capabilities) do nothing. */
  nosuid?: boolean;
  /** Default true: device nodes cannot be opened. */
  nodev?: boolean;
  /** Default false: nothing on the mount can be executed. */
  noexec?: boolean;
}

export type Mount =
  | ({
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
    } & MountSafety)
  | ({ type: 'tmpfs'; target: string; sizeBytes?: number; mode?: number; readonly?: boolean } & MountSafety)
  | {
      type: 'proc' | 'sysfs';
      target: string;
      /** Default true: runc's masked and read-only paths (see README, "What a bare { args } gets"). */
      mask?: boolean;
    }
  | { type: 'devpts' | 'mqueue'; target: string };

export interface Filesystem {
  rootfs?: string;
  readonlyRootfs: boolean;
  mounts: Mount[];
}

const SAFETY_KEYS = ['nosuid', 'nodev', 'noexec'] as const;

/** The options each type of mount takes. */
const MOUNT_OPTIONS: Record<Mount['type'], readonly string[]> = {
  bind: ['type', 'source', 'target', 'readonly', 'recursive', 'idmap', ...SAFETY_KEYS],
  tmpfs: ['type', 'target', 'sizeBytes', 'mode', 'readonly', ...SAFETY_KEYS],
  proc: ['type', 'target', 'mask'],
  sysfs: ['type', 'target', 'mask'],
  devpts: ['type', 'target'],
  mqueue: ['type', 'target'],
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
  let mounts: Mount[] = [];
  if (c.mounts !== undefined) {
    if (!Array.isArray(c.mounts)) throw new ConfigError('mounts', 'must be an array');
    mounts = c.mounts.map(validateMount);
    if (mounts.length > 0 && !newMount) throw new ConfigError('mounts', "require a new 'mount' namespace");
  }
  return { rootfs, readonlyRootfs, mounts };
}

/**
 * What the program writes on a writable bind or rootfs stays on the host, where a setuid
 * file or a file capability it made would keep working (see config-privileges.ts).
 */
export function writesToHost(fs: Filesystem): boolean {
  return fs.mounts.some((m) => m.type === 'bind' && !m.readonly) || (fs.rootfs !== undefined && !fs.readonlyRootfs);
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
    ...option(m, f, 'idmap', bool),
  };
  if (out.idmap && process.geteuid!() !== 0)
    throw new ConfigError(`${f}.idmap`, 'needs a root caller (only host root may make idmapped mounts); a normal caller already owns what it binds');
  return out;
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

function validateSafety(m: Record<string, unknown>, f: string): MountSafety {
  return Object.assign({}, ...SAFETY_KEYS.map((k) => option(m, f, k, bool)));
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
