/**
 * The `limits` field: the wall-time limit, the sizes of the private scratch file systems
 * and the program's rlimits; and the floors below which no program could start.
 */
import { ConfigError } from './errors.js';
import { describe, int, isPlainObject, onlyKnownKeys } from './config-values.js';
import type { StdioEntry } from './config-process.js';

export type RlimitName = 'nofile' | 'nproc' | 'as' | 'cpu' | 'fsize' | 'core' | 'stack';
export const RLIMIT_NAMES: readonly RlimitName[] = ['nofile', 'nproc', 'as', 'cpu', 'fsize', 'core', 'stack'];

/** Sizes of the private scratch file systems when limits do not say (bytes). */
export const SCRATCH_DEFAULTS = { tmpBytes: 256 << 20, runBytes: 16 << 20, shmBytes: 64 << 20 } as const;

/** `value` Infinity: no limit. */
export type Rlimit = { name: RlimitName; value: number };

export interface Limits {
  wallTimeMs?: number;
  rlimits: Rlimit[];
  tmpBytes: number;
  runBytes: number;
  shmBytes: number;
}

const SCRATCH_KEYS = ['tmpBytes', 'runBytes', 'shmBytes'] as const;
/** Refused until cgroup limits exist, so that nobody believes they hold. */
const CGROUP_KEYS = ['memoryBytes', 'pids', 'cpus'] as const;
const LIMIT_KEYS = [...CGROUP_KEYS, 'wallTimeMs', 'rlimits', ...SCRATCH_KEYS];
/** No program starts in less than this much address space (RLIMIT_AS, in bytes). */
const MIN_ADDRESS_SPACE = 1 << 20;

/** `stdio`: every fd the main process holds must fit under its RLIMIT_NOFILE. */
export function validateLimits(v: unknown, stdio: StdioEntry[]): Limits {
  const limits: Limits = { rlimits: [], ...SCRATCH_DEFAULTS };
  if (v === undefined) return limits;
  if (!isPlainObject(v)) throw new ConfigError('limits', 'must be an object');
  onlyKnownKeys(v, LIMIT_KEYS, 'limits.', 'a limit');
  for (const k of SCRATCH_KEYS) if (v[k] !== undefined) limits[k] = int(v[k], `limits.${k}`, 4096, Number.MAX_SAFE_INTEGER);
  if (v.wallTimeMs !== undefined) limits.wallTimeMs = validateWallTime(v.wallTimeMs);
  for (const k of CGROUP_KEYS) if (v[k] !== undefined) throw new ConfigError(`limits.${k}`, 'needs cgroup support, which is not implemented yet');
  if (v.rlimits !== undefined) {
    limits.rlimits = validateRlimits(v.rlimits);
    checkNofile(limits.rlimits, stdio);
    checkAddressSpace(limits.rlimits);
  }
  return limits;
}

/** Milliseconds, rounded up to whole ones. */
function validateWallTime(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new ConfigError('limits.wallTimeMs', `must be a positive number of milliseconds, got ${describe(v)}`);
  return Math.ceil(v);
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
