/**
 * ContainerConfig (README.md, "Configuration") and its validation. Every field is
 * checked here, in TypeScript, before any process exists; errors name the field.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors.js';
import { Namespaces, isNamespaceType, type NamespaceEntry, type NamespaceType } from './namespaces.js';
import { capabilityNumber } from './capabilities.js';
import type { TerminalSize } from './terminal.js';
import {
  checkPolicyCanStart,
  compileSeccompPolicy,
  defaultSeccompPolicy,
  validateSeccompPolicy,
  type CompilableSeccompPolicy,
  type SeccompPolicy,
} from './seccomp.js';
import { withSetuidGuard } from './setuid-guard.js';

export interface IdMapping {
  containerId: number;
  hostId: number;
  size: number;
}

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

export type RlimitName = 'nofile' | 'nproc' | 'as' | 'cpu' | 'fsize' | 'core' | 'stack';
export type StdioEntry = 'pipe' | 'inherit' | 'ignore' | number;

export interface ContainerConfig {
  /** The main process; args[0] is looked up in the container's PATH. */
  args: string[];
  /** Replaces the default minimal environment (PATH, HOME, TERM) entirely, as child_process does. */
  env?: Record<string, string>;
  /** Inside the container; default '/'. */
  cwd?: string;
  /** Default Namespaces.all(). */
  namespaces?: Namespaces | Iterable<NamespaceType | NamespaceEntry>;
  /** A directory to pivot_root into; default the host's / read-only with private /proc, /dev, /tmp. */
  rootfs?: string;
  /** With rootfs: mount it read-only (the host's / is always read-only). Default false. */
  readonlyRootfs?: boolean;
  /** Applied in order after the defaults; targets resolved inside the root. */
  mounts?: Mount[];
  /** Needs a new uts namespace. Default 'sandbox' when there is one. */
  hostname?: string;
  /** Inside the container; default 0/0. */
  user?: { uid: number; gid: number; additionalGids?: number[] };
  /** Default: the caller's euid -> 0 (works unprivileged). */
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  /** Default 'loopback' when a new net namespace is created, else 'host'. */
  network?: 'none' | 'loopback' | 'host';
  limits?: {
    memoryBytes?: number;
    pids?: number;
    cpus?: number;
    wallTimeMs?: number;
    rlimits?: Partial<Record<RlimitName, number>>;
    /** Size of the private /tmp in bytes; default 256 MiB (SCRATCH_DEFAULTS). */
    tmpBytes?: number;
    /** Size of the private /run; default 16 MiB. */
    runBytes?: number;
    /** Size of /dev/shm; default 64 MiB. */
    shmBytes?: number;
  };
  /**
   * Default true: the caller's credentials (~/.ssh, ~/.aws, ~/.npmrc, ... under its home
   * and /root; see CREDENTIAL_PATHS) are covered by empty read-only mounts wherever the
   * host view or a bind shows them. A bind of such a path itself stays visible.
   */
  hideCredentials?: boolean;
  /** More host paths to hide the same way (absolute). */
  hidePaths?: string[];
  /** Capabilities kept, e.g. ['CAP_NET_BIND_SERVICE']; default none. */
  capabilities?: string[];
  /** Default 'default' (a Docker-like deny list). */
  seccomp?: 'default' | 'none' | SeccompPolicy;
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
  stdio?: 'pipe' | 'inherit' | 'ignore' | StdioEntry[];
  /** A pty for the main process (its stdin, stdout and stderr); optionally its size. */
  terminal?: boolean | { cols?: number; rows?: number };
  /** Default true: a tiny PID 1 that reaps zombies and forwards signals. */
  init?: boolean;
}

/** The validated configuration, with every default applied. */
export interface NormalizedConfig {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  namespaces: Namespaces;
  rootfs?: string;
  readonlyRootfs: boolean;
  mounts: Mount[];
  hostname?: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  network: 'none' | 'loopback' | 'host' | 'joined';
  limits: {
    memoryBytes?: number;
    pids?: number;
    cpus?: number;
    wallTimeMs?: number;
    rlimits: Array<{ name: RlimitName; value: number }>;
    tmpBytes: number;
    runBytes: number;
    shmBytes: number;
  };
  hideCredentials: boolean;
  hidePaths: string[];
  capabilities: number[];
  seccomp: SeccompPolicy | null;
  seccompIsDefault: boolean;
  /** The compiled filter (null: none). */
  seccompProgram: Buffer | null;
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
  stdio: StdioEntry[];
  terminal: TerminalSize | null;
  init: boolean;
}

const KNOWN_FIELDS = new Set([
  'args', 'env', 'cwd', 'namespaces', 'rootfs', 'readonlyRootfs', 'mounts', 'hostname', 'user',
  'uidMappings', 'gidMappings', 'network', 'limits', 'capabilities', 'seccomp', 'noNewPrivileges',
  'oomScoreAdj', 'stdio', 'terminal', 'init', 'hideCredentials', 'hidePaths',
]);

/** Sizes of the private scratch file systems when limits do not say (bytes). */
export const SCRATCH_DEFAULTS = { tmpBytes: 256 << 20, runBytes: 16 << 20, shmBytes: 64 << 20 } as const;
export const RLIMIT_NAMES: readonly RlimitName[] = ['nofile', 'nproc', 'as', 'cpu', 'fsize', 'core', 'stack'];
const MAX_ID = 0xfffffffe; // (uid_t)-1 means "no change" to the kernel
const PATH_MAX = 4095; // bytes, without the NUL: the kernel refuses longer paths

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, field: string, opts: { allowEmpty?: boolean } = {}): string {
  if (typeof v !== 'string') throw new ConfigError(field, `must be a string, got ${describe(v)}`);
  if (!opts.allowEmpty && v.length === 0) throw new ConfigError(field, 'must not be empty');
  if (v.includes('\0')) throw new ConfigError(field, 'must not contain a NUL byte');
  return v;
}

function absPath(v: unknown, field: string): string {
  const p = str(v, field);
  if (!path.isAbsolute(p)) throw new ConfigError(field, `must be an absolute path, got ${JSON.stringify(p)}`);
  if (p.split('/').includes('..')) throw new ConfigError(field, `must not contain '..', got ${JSON.stringify(p)}`);
  if (Buffer.byteLength(p) > PATH_MAX) throw new ConfigError(field, `must be at most ${PATH_MAX} bytes (PATH_MAX), got ${Buffer.byteLength(p)}`);
  return p;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(field, `must be an integer, got ${describe(v)}`);
  if (v < min || v > max) throw new ConfigError(field, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(field, `must be a boolean, got ${describe(v)}`);
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function validateMappings(v: unknown, field: string): IdMapping[] {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError(field, 'must be a non-empty array of { containerId, hostId, size }');
  if (v.length > 340) throw new ConfigError(field, 'has more than 340 ranges (the kernel limit)');
  const out = v.map((m, i) => {
    const f = `${field}[${i}]`;
    if (!isPlainObject(m)) throw new ConfigError(f, 'must be an object { containerId, hostId, size }');
    return {
      containerId: int(m.containerId, `${f}.containerId`, 0, MAX_ID),
      hostId: int(m.hostId, `${f}.hostId`, 0, MAX_ID),
      size: int(m.size, `${f}.size`, 1, MAX_ID),
    };
  });
  const sorted = [...out].sort((a, b) => a.containerId - b.containerId);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i - 1].containerId + sorted[i - 1].size > sorted[i].containerId)
      throw new ConfigError(field, 'has overlapping container id ranges');
  checkHostRanges(out, field);
  return out;
}

export function mapsId(mappings: IdMapping[], id: number): boolean {
  return mappings.some((m) => id >= m.containerId && id < m.containerId + m.size);
}

function validateMount(m: unknown, i: number): Mount {
  const f = `mounts[${i}]`;
  if (!isPlainObject(m)) throw new ConfigError(f, 'must be an object');
  const target = absPath(m.target, `${f}.target`);
  if (path.posix.normalize(target) === '/') throw new ConfigError(`${f}.target`, "must not be '/' (use rootfs for the root)");
  const allowed: Record<string, string[]> = {
    bind: ['type', 'source', 'target', 'readonly', 'recursive', 'idmap', ...SAFETY_KEYS],
    tmpfs: ['type', 'target', 'sizeBytes', 'mode', 'readonly', ...SAFETY_KEYS],
    proc: ['type', 'target', 'mask'],
    sysfs: ['type', 'target', 'mask'],
    devpts: ['type', 'target'],
    mqueue: ['type', 'target'],
  };
  const type = m.type;
  if (typeof type !== 'string' || !(type in allowed))
    throw new ConfigError(`${f}.type`, `must be one of ${Object.keys(allowed).join(', ')}, got ${describe(type)}`);
  for (const k of Object.keys(m))
    if (!allowed[type].includes(k)) throw new ConfigError(`${f}.${k}`, `is not an option of a ${type} mount`);
  switch (type) {
    case 'bind': {
      const out: Mount = { type, source: absPath(m.source, `${f}.source`), target, ...validateSafety(m, f) };
      if (m.readonly !== undefined) out.readonly = bool(m.readonly, `${f}.readonly`);
      if (m.recursive !== undefined) out.recursive = bool(m.recursive, `${f}.recursive`);
      if (m.idmap !== undefined) {
        out.idmap = bool(m.idmap, `${f}.idmap`);
        if (out.idmap && process.geteuid!() !== 0)
          throw new ConfigError(`${f}.idmap`, 'needs a root caller (only host root may make idmapped mounts); a normal caller already owns what it binds');
      }
      return out;
    }
    case 'tmpfs': {
      const out: Mount = { type, target, ...validateSafety(m, f) };
      if (m.sizeBytes !== undefined) out.sizeBytes = int(m.sizeBytes, `${f}.sizeBytes`, 4096, Number.MAX_SAFE_INTEGER);
      if (m.mode !== undefined) out.mode = int(m.mode, `${f}.mode`, 0, 0o7777);
      if (m.readonly !== undefined) out.readonly = bool(m.readonly, `${f}.readonly`);
      return out;
    }
    case 'proc':
    case 'sysfs': {
      const out: Mount = { type, target };
      if (m.mask !== undefined) out.mask = bool(m.mask, `${f}.mask`);
      return out;
    }
    default:
      return { type: type as 'devpts' | 'mqueue', target };
  }
}

const SAFETY_KEYS = ['nosuid', 'nodev', 'noexec'] as const;

function validateSafety(m: Record<string, unknown>, f: string): MountSafety {
  const out: MountSafety = {};
  for (const k of SAFETY_KEYS) if (m[k] !== undefined) out[k] = bool(m[k], `${f}.${k}`);
  return out;
}

const CAP_SETFCAP = 31;
let guardedDefault: CompilableSeccompPolicy | undefined;
/** The policy with the setuid guard in front (see setuid-guard.ts); the default's is made once. */
function guarded(policy: CompilableSeccompPolicy | null): CompilableSeccompPolicy {
  if (policy === defaultSeccompPolicy) return (guardedDefault ??= withSetuidGuard(defaultSeccompPolicy));
  return withSetuidGuard(policy);
}

function validateHidePaths(v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError('hidePaths', 'must be an array of absolute host paths');
  return v.map((p, i) => {
    const out = absPath(p, `hidePaths[${i}]`);
    if (path.posix.normalize(out) === '/') throw new ConfigError(`hidePaths[${i}]`, "must not be '/'");
    return out;
  });
}

function validateEnv(v: unknown): Record<string, string> {
  if (!isPlainObject(v)) throw new ConfigError('env', 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.length === 0 || k.includes('=') || k.includes('\0'))
      throw new ConfigError(`env[${JSON.stringify(k)}]`, "is not a valid variable name (empty, or contains '=' or NUL)");
    out[k] = str(val, `env.${k}`, { allowEmpty: true });
  }
  return out;
}

function validateStdio(v: unknown): StdioEntry[] {
  const one = (e: unknown, f: string): StdioEntry => {
    if (e === 'pipe' || e === 'inherit' || e === 'ignore') return e;
    if (typeof e === 'number' && Number.isInteger(e) && e >= 0 && e < 1 << 20) return e;
    throw new ConfigError(f, `must be 'pipe', 'inherit', 'ignore' or a file descriptor, got ${describe(e)}`);
  };
  if (v === undefined) return ['pipe', 'pipe', 'pipe'];
  if (typeof v === 'string') {
    const e = one(v, 'stdio');
    return [e, e, e];
  }
  if (!Array.isArray(v)) throw new ConfigError('stdio', `must be a string or an array, got ${describe(v)}`);
  if (v.length > 64) throw new ConfigError('stdio', 'has more than 64 entries');
  const out = v.map((e, i) => one(e, `stdio[${i}]`));
  while (out.length < 3) out.push('ignore');
  return out;
}

export interface ExecOptions {
  env?: Record<string, string>;
  cwd?: string;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  stdio?: ContainerConfig['stdio'];
  terminal?: ContainerConfig['terminal'];
}

export interface NormalizedExec {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  stdio: StdioEntry[];
  terminal: TerminalSize | null;
}

/** exec()'s arguments; what is not given comes from the container's configuration. */
export function normalizeExec(args: unknown, options: unknown, container: NormalizedConfig): NormalizedExec {
  if (!Array.isArray(args) || args.length === 0) throw new ConfigError('args', 'must be a non-empty array of strings');
  const argv = args.map((a, i) => str(a, `args[${i}]`, { allowEmpty: i > 0 }));
  if (options !== undefined && !isPlainObject(options)) throw new ConfigError('options', 'must be an object');
  const o = (options ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!['env', 'cwd', 'user', 'stdio', 'terminal'].includes(k)) throw new ConfigError(`options.${k}`, 'is not an exec option');
  const user = o.user === undefined ? container.user : validateUser(o.user, 'options.user');
  const stdio = validateStdio(o.stdio);
  checkStdioFdsOpen(stdio, 'stdio');
  checkNofile(container.limits.rlimits, stdio, 'stdio');
  const terminal = validateTerminal(o.terminal, 'options.terminal', stdio);
  const env = o.env === undefined ? container.env : validateEnv(o.env);
  checkStringSizes(argv, env, 'options.env');
  return {
    args: argv,
    env,
    cwd: o.cwd === undefined ? container.cwd : absPath(o.cwd, 'options.cwd'),
    user,
    stdio,
    terminal,
  };
}

/** true or { cols, rows } -> a size (default 80x24); stdin/stdout/stderr then come from the pty. */
function validateTerminal(v: unknown, field: string, stdio: StdioEntry[]): TerminalSize | null {
  if (v === undefined || v === false) return null;
  let size: TerminalSize = { cols: 80, rows: 24 };
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) if (k !== 'cols' && k !== 'rows') throw new ConfigError(`${field}.${k}`, 'is not a terminal option');
    size = {
      cols: v.cols === undefined ? 80 : int(v.cols, `${field}.cols`, 1, 65535),
      rows: v.rows === undefined ? 24 : int(v.rows, `${field}.rows`, 1, 65535),
    };
  } else if (v !== true) {
    throw new ConfigError(field, `must be a boolean or { cols, rows }, got ${describe(v)}`);
  }
  if (stdio.slice(0, 3).some((e) => e !== 'pipe'))
    throw new ConfigError(field, 'gives the process a pty as stdin, stdout and stderr; leave stdio[0..2] as "pipe"');
  return size;
}

function validateUser(v: unknown, field: string): { uid: number; gid: number; additionalGids: number[] } {
  if (!isPlainObject(v)) throw new ConfigError(field, 'must be an object { uid, gid, additionalGids? }');
  const user = { uid: int(v.uid, `${field}.uid`, 0, MAX_ID), gid: int(v.gid, `${field}.gid`, 0, MAX_ID), additionalGids: [] as number[] };
  if (v.additionalGids !== undefined) {
    if (!Array.isArray(v.additionalGids)) throw new ConfigError(`${field}.additionalGids`, 'must be an array of gids');
    user.additionalGids = v.additionalGids.map((g, i) => int(g, `${field}.additionalGids[${i}]`, 0, MAX_ID));
  }
  return user;
}

export function defaultEnv(uid: number, terminal: boolean): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: uid === 0 ? '/root' : '/',
    TERM: terminal ? 'xterm' : 'dumb',
  };
}

export function normalizeNamespaces(v: unknown): Namespaces {
  if (v === undefined) return Namespaces.all();
  if (v instanceof Namespaces) return new Namespaces(v);
  if (typeof v === 'string' || v === null || typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function')
    throw new ConfigError('namespaces', `must be a Namespaces or an array of namespace types, got ${describe(v)}`);
  for (const e of v as Iterable<unknown>)
    if (typeof e === 'string' && !isNamespaceType(e)) throw new ConfigError('namespaces', `has an unknown type ${JSON.stringify(e)}`);
  return new Namespaces(v as Iterable<NamespaceType | NamespaceEntry>);
}

export function normalizeConfig(input: unknown): NormalizedConfig {
  if (!isPlainObject(input)) throw new ConfigError('config', `must be an object, got ${describe(input)}`);
  const c = input as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!KNOWN_FIELDS.has(k)) throw new ConfigError(k, 'is not a ContainerConfig field');

  if (!Array.isArray(c.args) || c.args.length === 0) throw new ConfigError('args', 'must be a non-empty array of strings');
  const args = c.args.map((a, i) => str(a, `args[${i}]`, { allowEmpty: i > 0 }));

  const namespaces = normalizeNamespaces(c.namespaces);
  const stdio = validateStdio(c.stdio);
  checkStdioFdsOpen(stdio, 'stdio');
  const terminal = validateTerminal(c.terminal, 'terminal', stdio);

  const user = c.user === undefined ? { uid: 0, gid: 0, additionalGids: [] as number[] } : validateUser(c.user, 'user');

  const env = c.env === undefined ? defaultEnv(user.uid, terminal !== null) : validateEnv(c.env);
  checkStringSizes(args, env, 'env');
  const cwd = c.cwd === undefined ? '/' : absPath(c.cwd, 'cwd');

  const newMount = namespaces.isNew('mount');
  let rootfs: string | undefined;
  if (c.rootfs !== undefined) {
    rootfs = absPath(c.rootfs, 'rootfs');
    if (!newMount) throw new ConfigError('rootfs', "requires a new 'mount' namespace");
  }
  const readonlyRootfs = c.readonlyRootfs === undefined ? false : bool(c.readonlyRootfs, 'readonlyRootfs');
  if (readonlyRootfs && rootfs === undefined) throw new ConfigError('readonlyRootfs', 'requires rootfs (the host root is always read-only)');
  let mounts: Mount[] = [];
  if (c.mounts !== undefined) {
    if (!Array.isArray(c.mounts)) throw new ConfigError('mounts', 'must be an array');
    mounts = c.mounts.map(validateMount);
    if (mounts.length > 0 && !newMount) throw new ConfigError('mounts', "require a new 'mount' namespace");
  }

  let hostname: string | undefined;
  if (c.hostname !== undefined) {
    hostname = str(c.hostname, 'hostname');
    if (Buffer.byteLength(hostname) > 64) throw new ConfigError('hostname', `must be at most 64 bytes (UTF-8), got ${Buffer.byteLength(hostname)}`);
    if (!namespaces.isNew('uts')) throw new ConfigError('hostname', "requires the 'uts' namespace");
  } else if (namespaces.isNew('uts')) {
    hostname = 'sandbox';
  }

  let uidMappings: IdMapping[] | undefined;
  let gidMappings: IdMapping[] | undefined;
  if (c.uidMappings !== undefined) uidMappings = validateMappings(c.uidMappings, 'uidMappings');
  if (c.gidMappings !== undefined) gidMappings = validateMappings(c.gidMappings, 'gidMappings');
  if ((uidMappings || gidMappings) && !namespaces.isNew('user'))
    throw new ConfigError(uidMappings ? 'uidMappings' : 'gidMappings', "requires a new 'user' namespace");

  let network: NormalizedConfig['network'];
  const netDefault = namespaces.isNew('net') ? 'loopback' : namespaces.contains('net') ? 'joined' : 'host';
  if (c.network === undefined) {
    network = netDefault;
  } else {
    if (c.network !== 'none' && c.network !== 'loopback' && c.network !== 'host')
      throw new ConfigError('network', `must be 'none', 'loopback' or 'host', got ${describe(c.network)}`);
    if (netDefault === 'joined') throw new ConfigError('network', 'cannot be set when the net namespace is joined by path');
    if (c.network === 'host' && netDefault !== 'host')
      throw new ConfigError('network', "'host' contradicts the 'net' namespace; remove 'net' from namespaces");
    if (c.network !== 'host' && netDefault === 'host')
      throw new ConfigError('network', `'${c.network}' requires the 'net' namespace`);
    network = c.network;
  }

  const limits: NormalizedConfig['limits'] = { rlimits: [], ...SCRATCH_DEFAULTS };
  if (c.limits !== undefined) {
    if (!isPlainObject(c.limits)) throw new ConfigError('limits', 'must be an object');
    for (const k of Object.keys(c.limits))
      if (!['memoryBytes', 'pids', 'cpus', 'wallTimeMs', 'rlimits', 'tmpBytes', 'runBytes', 'shmBytes'].includes(k))
        throw new ConfigError(`limits.${k}`, 'is not a limit');
    for (const k of ['tmpBytes', 'runBytes', 'shmBytes'] as const)
      if (c.limits[k] !== undefined) limits[k] = int(c.limits[k], `limits.${k}`, 4096, Number.MAX_SAFE_INTEGER);
    const l = c.limits;
    if (l.wallTimeMs !== undefined) {
      if (typeof l.wallTimeMs !== 'number' || !Number.isFinite(l.wallTimeMs) || l.wallTimeMs <= 0)
        throw new ConfigError('limits.wallTimeMs', `must be a positive number of milliseconds, got ${describe(l.wallTimeMs)}`);
      limits.wallTimeMs = Math.ceil(l.wallTimeMs);
    }
    for (const k of ['memoryBytes', 'pids', 'cpus'] as const)
      if (l[k] !== undefined) throw new ConfigError(`limits.${k}`, 'needs cgroup support, which is not implemented yet');
    if (l.rlimits !== undefined) {
      if (!isPlainObject(l.rlimits)) throw new ConfigError('limits.rlimits', 'must be an object');
      for (const [name, value] of Object.entries(l.rlimits)) {
        if (!RLIMIT_NAMES.includes(name as RlimitName))
          throw new ConfigError(`limits.rlimits.${name}`, `is not a known rlimit (${RLIMIT_NAMES.join(', ')})`);
        if (value === undefined) continue;
        if (value !== Infinity) int(value, `limits.rlimits.${name}`, 0, Number.MAX_SAFE_INTEGER);
        limits.rlimits.push({ name: name as RlimitName, value: value as number });
      }
      checkRlimitFloors(limits.rlimits, stdio);
    }
  }

  let capabilities: number[] = [];
  if (c.capabilities !== undefined) {
    if (!Array.isArray(c.capabilities)) throw new ConfigError('capabilities', 'must be an array of capability names');
    capabilities = c.capabilities.map((name, i) => capabilityNumber(str(name, `capabilities[${i}]`), `capabilities[${i}]`));
  }

  let seccomp: SeccompPolicy | null;
  let seccompIsDefault = false;
  if (c.seccomp === undefined || c.seccomp === 'default') {
    seccomp = null;
    seccompIsDefault = true;
  } else if (c.seccomp === 'none') {
    seccomp = null;
  } else {
    seccomp = validateSeccompPolicy(c.seccomp, 'seccomp');
    checkPolicyCanStart(seccomp, 'seccomp');
  }

  // What the program writes on a writable host-backed mount stays on the host: it must
  // not leave a working setuid or setgid file there (for a root caller one owned by the
  // host's root, through the idmap; for anyone else one that runs as the caller), nor,
  // for a root caller, a file capability the host's root namespace would honour.
  const writesToHost = mounts.some((m) => m.type === 'bind' && !m.readonly) || (rootfs !== undefined && !readonlyRootfs);
  if (writesToHost && process.geteuid!() === 0 && capabilities.includes(CAP_SETFCAP))
    throw new ConfigError(
      'capabilities',
      "CAP_SETFCAP with a writable bind (or rootfs) would let the program give a file on the host capabilities the host's root namespace honours; make those mounts readonly, or drop CAP_SETFCAP",
    );
  const basePolicy = seccompIsDefault ? defaultSeccompPolicy : seccomp;
  const policy = writesToHost ? guarded(basePolicy) : basePolicy;
  const seccompProgram = policy ? compileSeccompPolicy(policy) : null;

  const noNewPrivileges = c.noNewPrivileges === undefined ? true : bool(c.noNewPrivileges, 'noNewPrivileges');
  const oomScoreAdj = c.oomScoreAdj === undefined ? undefined : int(c.oomScoreAdj, 'oomScoreAdj', -1000, 1000);
  const init = c.init === undefined ? true : bool(c.init, 'init');
  const hideCredentials = c.hideCredentials === undefined ? true : bool(c.hideCredentials, 'hideCredentials');
  const hidePaths = validateHidePaths(c.hidePaths);

  return {
    args, env, cwd, namespaces, rootfs, readonlyRootfs, mounts, hostname, user, uidMappings, gidMappings,
    network, limits, capabilities, seccomp, seccompIsDefault, seccompProgram, noNewPrivileges, oomScoreAdj, stdio, terminal, init,
    hideCredentials, hidePaths,
  };
}

// ---- Limits of the bootstrap and of the kernel, checked before any process exists ----

/**
 * The most bytes one argument or one environment entry ("KEY=value") may have: each is
 * one attribute of the bootstrap message, whose length field is 16 bits.
 */
export const MAX_STRING_BYTES = 65530;

function checkStringSizes(args: string[], env: Record<string, string>, envField: string): void {
  args.forEach((a, i) => {
    const n = Buffer.byteLength(a);
    if (n > MAX_STRING_BYTES) throw new ConfigError(`args[${i}]`, `is ${n} bytes; at most ${MAX_STRING_BYTES} bytes fit in one argument`);
  });
  for (const [k, v] of Object.entries(env)) {
    const n = Buffer.byteLength(k) + 1 + Buffer.byteLength(v);
    if (n > MAX_STRING_BYTES)
      throw new ConfigError(`${envField}.${k}`, `is ${n} bytes as "${k}=..."; at most ${MAX_STRING_BYTES} bytes fit in one environment entry`);
  }
}

/** An fd given in stdio must be open here: the container gets a copy of it. */
function checkStdioFdsOpen(stdio: StdioEntry[], field: string): void {
  stdio.forEach((e, i) => {
    if (typeof e !== 'number') return;
    try {
      fs.fstatSync(e);
    } catch {
      throw new ConfigError(`${field}[${i}]`, `is fd ${e}, which is not open in this process`);
    }
  });
}

/** The main process holds 0, 1, 2 and every extra fd: RLIMIT_NOFILE below that can never work. */
function checkNofile(rlimits: NormalizedConfig['limits']['rlimits'], stdio: StdioEntry[], field = 'limits.rlimits.nofile'): void {
  const nofile = rlimits.find((r) => r.name === 'nofile');
  const needed = Math.max(3, stdio.length);
  if (!nofile || nofile.value >= needed) return;
  const held = `stdin, stdout, stderr${stdio.length > 3 ? ` and ${stdio.length - 3} extra` : ''}`;
  throw new ConfigError(
    field,
    field === 'limits.rlimits.nofile'
      ? `is ${nofile.value}, below the ${needed} file descriptors the process holds itself (${held})`
      : `gives the process ${needed} file descriptors (${held}), more than the container's limits.rlimits.nofile of ${nofile.value}`,
  );
}

/** No program starts in less than this much address space (RLIMIT_AS, in bytes). */
const MIN_ADDRESS_SPACE = 1 << 20;

function checkRlimitFloors(rlimits: NormalizedConfig['limits']['rlimits'], stdio: StdioEntry[]): void {
  checkNofile(rlimits, stdio);
  const as = rlimits.find((r) => r.name === 'as');
  if (as && as.value < MIN_ADDRESS_SPACE)
    throw new ConfigError('limits.rlimits.as', `is in bytes, and ${as.value} is too small for any program to start (at least ${MIN_ADDRESS_SPACE}, 1 MiB)`);
}

/** Two ranges mapping the same host id would give one host user two ids inside; the kernel refuses that too. */
function checkHostRanges(mappings: IdMapping[], field: string): void {
  const sorted = [...mappings].sort((a, b) => a.hostId - b.hostId);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i - 1].hostId + sorted[i - 1].size > sorted[i].hostId) throw new ConfigError(field, 'has overlapping host id ranges');
}
