/**
 * What the v1 and v2 modules have in common: a limit as writes to a cgroup's files, the
 * statistics read back, and the flat-keyed format both versions use ("key value" lines:
 * v2's cpu.stat, memory.events, cgroup.events; v1's memory.oom_control).
 */
import type { CgroupLimitName } from '../config-limits.js';

/** The CFS period both versions use: the kernel's default, so a new cgroup already has it. */
export const CPU_PERIOD_US = 100_000;
/** The kernel refuses a quota below 1 ms. */
const MIN_QUOTA_US = 1000;

/** The CPU bandwidth quota for a fractional number of CPUs at CPU_PERIOD_US. */
export function cfsQuota(cpus: number): number {
  return Math.max(MIN_QUOTA_US, Math.round(cpus * CPU_PERIOD_US));
}

/** One value written into one file of the container's cgroup, in order. */
export interface LimitWrite {
  /** The limit it enforces; a failure makes that limit unenforced. */
  limit: CgroupLimitName;
  /** File name within the cgroup directory. */
  file: string;
  value: string;
  /** The kernel may lack the file (swap accounting off, an older kernel): skipped if absent. */
  optional?: boolean;
  /** Only once the write before it is done (v1's memory+swap after memory); others go in parallel. */
  after?: boolean;
}

/** What a container's cgroups say it used; each field only where a cgroup has it. */
export interface CgroupStats {
  cpuUserUs?: number;
  cpuSystemUs?: number;
  /** Total CPU time (user + system), microseconds. */
  cpuUsageUs?: number;
  memoryBytes?: number;
  memoryPeakBytes?: number;
  pids?: number;
  pidsPeak?: number;
  /** The kernel's OOM killer ran in it (or it is out of memory now). */
  oom?: boolean;
}

/** "key value" lines -> map; lines that are not are skipped. */
export function parseKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\d+)$/.exec(line.trim());
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** A file holding one number ("max" is Infinity). */
export function parseNumber(text: string): number {
  const t = text.trim();
  if (t === 'max') return Infinity;
  if (!/^-?\d+$/.test(t)) throw new Error(`not a number: ${JSON.stringify(t.slice(0, 40))}`);
  return Number(t);
}

/** The object without its undefined fields (so that merging never overwrites a value with nothing). */
/** The number a statistics file holds; undefined where the kernel lacks the file. */
export function numberIn(files: ReadonlyMap<string, string | undefined>, file: string): number | undefined {
  const text = files.get(file);
  return text === undefined ? undefined : parseNumber(text);
}

export function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
