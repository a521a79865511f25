/**
 * cgroup v2's interface files, as the kernel documents them
 * (Documentation/admin-guide/cgroup-v2.rst): the only place that knows their names and
 * formats. Pure functions from limits to writes and from file contents to statistics;
 * limits.ts and stats.ts do the I/O.
 *
 *   memory.max, memory.swap.max, pids.max   "max" or a number
 *   cpu.max                                 "$MAX $PERIOD" (microseconds)
 *   memory.oom.group                        1: the OOM killer ends the whole cgroup
 *   cpu.stat                                flat keyed: usage_usec, user_usec, system_usec (always,
 *                                           even without the cpu controller)
 *   memory.events                           flat keyed: low, high, max, oom, oom_kill, oom_group_kill
 *   memory.current, memory.peak,            one number
 *   pids.current, pids.peak
 *   cgroup.kill                             write "1": SIGKILL to every process, at once (5.14+)
 *   cgroup.events                           flat keyed: populated, frozen
 */
import type { CgroupLimits } from '../config-limits.js';
import { cfsQuota, CPU_PERIOD_US, defined, numberIn, parseKeyed, parseNumber, type CgroupStats, type LimitWrite } from './formats.js';


export const V2_FILES = {
  procs: 'cgroup.procs',
  kill: 'cgroup.kill',
  events: 'cgroup.events',
  subtreeControl: 'cgroup.subtree_control',
  threads: 'cgroup.threads',
  cpuStat: 'cpu.stat',
} as const;

export function formatMax(n: number | undefined): string {
  return n === undefined || n === Infinity ? 'max' : String(n);
}

/** cpu.max for a fractional number of CPUs, at the default period. */
export function formatCpuMax(cpus: number): string {
  return `${cfsQuota(cpus)} ${CPU_PERIOD_US}`;
}

export function parseCpuMax(text: string): { quotaUs: number; periodUs: number } {
  const [q, p] = text.trim().split(/\s+/);
  return { quotaUs: parseNumber(q), periodUs: parseNumber(p ?? String(CPU_PERIOD_US)) };
}

/** The controllers a cgroup.subtree_control (or cgroup.controllers) lists. */
export function parseControllers(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

/** The writes that set `limits` in a v2 cgroup whose parent enables `controllers`. */
export function v2LimitWrites(l: CgroupLimits, controllers: readonly string[]): LimitWrite[] {
  const out: LimitWrite[] = [];
  if (controllers.includes('memory') && l.memoryBytes !== undefined) {
    out.push({ limit: 'memoryBytes', file: 'memory.max', value: formatMax(l.memoryBytes) });
    // Swap off unless asked for: a limit that swaps is not a limit.
    out.push({ limit: 'memorySwapBytes', file: 'memory.swap.max', value: formatMax(l.memorySwapBytes ?? 0), optional: l.memorySwapBytes === undefined });
    out.push({ limit: 'memoryBytes', file: 'memory.oom.group', value: '1', optional: true });
  }
  if (controllers.includes('pids') && l.pids !== undefined) out.push({ limit: 'pids', file: 'pids.max', value: formatMax(l.pids) });
  if (controllers.includes('cpu') && l.cpus !== undefined) out.push({ limit: 'cpus', file: 'cpu.max', value: formatCpuMax(l.cpus) });
  return out;
}

/** The files stats come from, for a v2 cgroup with `controllers`. */
export function v2StatFiles(controllers: readonly string[]): string[] {
  const files: string[] = [V2_FILES.cpuStat];
  if (controllers.includes('memory')) files.push('memory.current', 'memory.peak', 'memory.events');
  if (controllers.includes('pids')) files.push('pids.current', 'pids.peak');
  return files;
}

/** Stats from the files' contents (undefined: the kernel lacks the file). */
export function parseV2Stats(files: ReadonlyMap<string, string | undefined>): CgroupStats {
  const out: CgroupStats = {};
  const text = (f: string) => files.get(f);
  const cpu = text(V2_FILES.cpuStat);
  if (cpu !== undefined) {
    const k = parseKeyed(cpu);
    out.cpuUsageUs = k.get('usage_usec');
    out.cpuUserUs = k.get('user_usec');
    out.cpuSystemUs = k.get('system_usec');
  }
  out.memoryBytes = numberIn(files, 'memory.current');
  out.memoryPeakBytes = numberIn(files, 'memory.peak');
  const events = text('memory.events');
  if (events !== undefined) {
    const k = parseKeyed(events);
    out.oom = (k.get('oom_kill') ?? 0) > 0 || (k.get('oom_group_kill') ?? 0) > 0;
  }
  out.pids = numberIn(files, 'pids.current');
  out.pidsPeak = numberIn(files, 'pids.peak');
  return defined(out);
}

/** cgroup.events: whether any process is left in it or below. */
export function parsePopulated(text: string): boolean {
  return parseKeyed(text).get('populated') === 1;
}
