/**
 * The `limits` field: the wall-time limit, the sizes of the private scratch file systems,
 * the program's rlimits, the container's cgroup limits (src-ts/cgroups/) and how strictly
 * they are enforced; and the floors below which no program could start.
 */
import { ConfigError } from './errors.js';
import { absPath, describe, int, isPlainObject, keysOf, onlyKnownKeys } from './config-values.js';
import type { StdioEntry } from './config-process.js';

export type RlimitName = 'nofile' | 'nproc' | 'as' | 'cpu' | 'fsize' | 'core' | 'stack';
export const RLIMIT_NAMES: readonly RlimitName[] = ['nofile', 'nproc', 'as', 'cpu', 'fsize', 'core', 'stack'];

/** Sizes of the private scratch file systems when limits do not say (bytes). */
export const SCRATCH_DEFAULTS = { tmpBytes: 256 << 20, runBytes: 16 << 20, shmBytes: 64 << 20 } as const;

/** `value` Infinity: no limit. */
export type Rlimit = { name: RlimitName; value: number };

/** The limits a cgroup enforces; a result names those best-effort could not. */
export type CgroupLimitName = 'memoryBytes' | 'memorySwapBytes' | 'pids' | 'cpus' | 'cpuTimeMs';
export const CGROUP_LIMIT_NAMES: readonly CgroupLimitName[] = ['memoryBytes', 'memorySwapBytes', 'pids', 'cpus', 'cpuTimeMs'];

/** `limits` of a ContainerConfig: what ends or bounds the whole container. */
export interface LimitsConfig {
  /** Memory of the whole container (cgroup), bytes; past it the kernel OOM-kills it (reason 'oom'). */
  memoryBytes?: number;
  /** With memoryBytes: swap it may use besides; default 0. */
  memorySwapBytes?: number;
  /** Processes (and threads) of the whole container, its init included (cgroup). */
  pids?: number;
  /** CPU bandwidth, fractional (0.5: half a core), as a cgroup quota. */
  cpus?: number;
  /** CPU time of the whole container, user + system, in ms; enforced natively (reason 'cpu-time'). */
  cpuTimeMs?: number;
  /**
   * Where the container's cgroups go: directories in cgroup file systems, at most one per
   * hierarchy (a delegated subtree for a normal user). Default: NSJAIL_TS_CGROUP_PARENT
   * (comma-separated), else the caller's own cgroup in each hierarchy.
   */
  cgroupParent?: string | string[];
  /** Default 'strict': a cgroup limit that cannot be enforced is a ContainerError; 'best-effort' runs without it. */
  enforce?: 'strict' | 'best-effort';
  /** Wall time of the program (from its release), in ms; enforced natively, SIGKILL to the whole container (reason 'timeout'). */
  wallTimeMs?: number;
  /** The program's rlimits; Infinity for none. `as` and `fsize` in bytes, `cpu` in seconds. */
  rlimits?: Partial<Record<RlimitName, number>>;
  /** Size of the private /tmp in bytes; default 256 MiB (SCRATCH_DEFAULTS). */
  tmpBytes?: number;
  /** Size of the private /run; default 16 MiB. */
  runBytes?: number;
  /** Size of /dev/shm; default 64 MiB. */
  shmBytes?: number;
}

export interface CgroupLimits {
  memoryBytes?: number;
  /** With memoryBytes: swap the container may use; 0 (no swap) unless given. */
  memorySwapBytes?: number;
  pids?: number;
  cpus?: number;
  cpuTimeMs?: number;
}

export interface Limits extends CgroupLimits {
  wallTimeMs?: number;
  rlimits: Rlimit[];
  tmpBytes: number;
  runBytes: number;
  shmBytes: number;
  /** Delegated parents (directories in cgroup file systems), one per hierarchy at most. */
  cgroupParent: string[];
  /** 'strict': a cgroup limit that cannot be enforced is an error; 'best-effort': the result says which were not. */
  enforce: 'strict' | 'best-effort';
}

const SCRATCH_KEYS = ['tmpBytes', 'runBytes', 'shmBytes'] as const;
const LIMIT_KEYS = keysOf<LimitsConfig>({
  memoryBytes: true, memorySwapBytes: true, pids: true, cpus: true, cpuTimeMs: true,
  cgroupParent: true, enforce: true, wallTimeMs: true, rlimits: true, tmpBytes: true, runBytes: true, shmBytes: true,
});
/** No program starts in less than this much address space (RLIMIT_AS, in bytes). */
const MIN_ADDRESS_SPACE = 1 << 20;
/** Nor in a smaller memory cgroup (it holds the container's init too). */
const MIN_MEMORY = 1 << 20;
/**
 * Every process of the container counts against `pids`: its init, and while it starts, up
 * to three setup processes (stages that have exited but are not reaped yet count too).
 */
const MIN_PIDS = 4;
/** The kernel's smallest CPU quota is 1 ms per 100 ms period. */
const MIN_CPUS = 0.01;
const MAX_CPUS = 4096;

/** `stdio`: every fd the main process holds must fit under its RLIMIT_NOFILE. */
export function validateLimits(v: unknown, stdio: StdioEntry[]): Limits {
  const limits: Limits = { rlimits: [], ...SCRATCH_DEFAULTS, cgroupParent: [], enforce: 'strict' };
  if (v === undefined) return limits;
  if (!isPlainObject(v)) throw new ConfigError('limits', 'must be an object');
  onlyKnownKeys(v, LIMIT_KEYS, 'limits.', 'a limit');
  for (const k of SCRATCH_KEYS) if (v[k] !== undefined) limits[k] = int(v[k], `limits.${k}`, 4096, Number.MAX_SAFE_INTEGER);
  if (v.wallTimeMs !== undefined) limits.wallTimeMs = validateMs(v.wallTimeMs, 'limits.wallTimeMs');
  Object.assign(limits, validateCgroupLimits(v));
  if (v.cgroupParent !== undefined) limits.cgroupParent = validateCgroupParent(v.cgroupParent, 'limits.cgroupParent');
  if (v.enforce !== undefined) limits.enforce = validateEnforce(v.enforce);
  if (v.rlimits !== undefined) {
    limits.rlimits = validateRlimits(v.rlimits);
    checkNofile(limits.rlimits, stdio);
    checkAddressSpace(limits.rlimits);
  }
  return limits;
}

/** Milliseconds, rounded up to whole ones. */
function validateMs(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new ConfigError(field, `must be a positive number of milliseconds, got ${describe(v)}`);
  return Math.ceil(v);
}

function validateCgroupLimits(v: Record<string, unknown>): CgroupLimits {
  const out: CgroupLimits = {};
  if (v.memoryBytes !== undefined) out.memoryBytes = int(v.memoryBytes, 'limits.memoryBytes', MIN_MEMORY, Number.MAX_SAFE_INTEGER);
  if (v.memorySwapBytes !== undefined) {
    if (out.memoryBytes === undefined) throw new ConfigError('limits.memorySwapBytes', 'needs limits.memoryBytes');
    out.memorySwapBytes = int(v.memorySwapBytes, 'limits.memorySwapBytes', 0, Number.MAX_SAFE_INTEGER);
  }
  if (v.pids !== undefined) {
    out.pids = int(v.pids, 'limits.pids', 1, 4194304);
    if (out.pids < MIN_PIDS)
      throw new ConfigError('limits.pids', `must be at least ${MIN_PIDS}: the container's init and its setup processes count too, got ${out.pids}`);
  }
  if (v.cpus !== undefined) {
    const c = v.cpus;
    if (typeof c !== 'number' || !Number.isFinite(c) || c <= 0) throw new ConfigError('limits.cpus', `must be a positive number of CPUs, got ${describe(c)}`);
    if (c < MIN_CPUS || c > MAX_CPUS) throw new ConfigError('limits.cpus', `must be between ${MIN_CPUS} and ${MAX_CPUS}, got ${c}`);
    out.cpus = c;
  }
  if (v.cpuTimeMs !== undefined) out.cpuTimeMs = validateMs(v.cpuTimeMs, 'limits.cpuTimeMs');
  return out;
}

/** One absolute path, or a list (one per cgroup hierarchy); NSJAIL_TS_CGROUP_PARENT takes a comma-separated list. */
export function validateCgroupParent(v: unknown, field: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new ConfigError(field, 'must name at least one directory');
  return list.map((p, i) => absPath(p, Array.isArray(v) ? `${field}[${i}]` : field).replace(/\/+$/, '') || '/');
}

function validateEnforce(v: unknown): 'strict' | 'best-effort' {
  if (v !== 'strict' && v !== 'best-effort') throw new ConfigError('limits.enforce', `must be 'strict' or 'best-effort', got ${describe(v)}`);
  return v;
}

/** Whether the limits need a cgroup. */
export function wantsCgroup(l: CgroupLimits): boolean {
  // memorySwapBytes comes only with memoryBytes.
  return CGROUP_LIMIT_NAMES.some((k) => l[k] !== undefined);
}

function validateRlimits(v: unknown): Rlimit[] {
  if (!isPlainObject(v)) throw new ConfigError('limits.rlimits', 'must be an object');
  const out: Rlimit[] = [];
  for (const [name, value] of Object.entries(v)) {
    if (!RLIMIT_NAMES.includes(name as RlimitName))
      throw new ConfigError(`limits.rlimits.${name}`, `is not a known rlimit (${RLIMIT_NAMES.join(', ')})`);
    if (value === undefined) continue;
    if (value !== Infinity) int(value, `limits.rlimits.${name}`, 0, Number.MAX_SAFE_INTEGER);
    out.push({ name: name as RlimitName, value: value as number });
  }
  return out;
}

/**
 * The main process holds 0, 1, 2 and every extra fd: RLIMIT_NOFILE below that can never
 * work. What is short, if anything: the limit, the fds needed, which fds they are.
 */
function nofileShortfall(rlimits: Rlimit[], stdio: StdioEntry[]): { nofile: number; needed: number; held: string } | undefined {
  const nofile = rlimits.find((r) => r.name === 'nofile');
  const needed = Math.max(3, stdio.length);
  if (!nofile || nofile.value >= needed) return undefined;
  return { nofile: nofile.value, needed, held: `stdin, stdout, stderr${stdio.length > 3 ? ` and ${stdio.length - 3} extra` : ''}` };
}

function checkNofile(rlimits: Rlimit[], stdio: StdioEntry[]): void {
  const short = nofileShortfall(rlimits, stdio);
  if (short)
    throw new ConfigError('limits.rlimits.nofile', `is ${short.nofile}, below the ${short.needed} file descriptors the process holds itself (${short.held})`);
}

/** exec(): the container's RLIMIT_NOFILE binds the exec'd process too; its stdio must fit. */
export function checkStdioFitsNofile(rlimits: Rlimit[], stdio: StdioEntry[]): void {
  const short = nofileShortfall(rlimits, stdio);
  if (short)
    throw new ConfigError(
      'stdio',
      `gives the process ${short.needed} file descriptors (${short.held}), more than the container's limits.rlimits.nofile of ${short.nofile}`,
    );
}

function checkAddressSpace(rlimits: Rlimit[]): void {
  const as = rlimits.find((r) => r.name === 'as');
  if (as && as.value < MIN_ADDRESS_SPACE)
    throw new ConfigError('limits.rlimits.as', `is in bytes, and ${as.value} is too small for any program to start (at least ${MIN_ADDRESS_SPACE}, 1 MiB)`);
}
