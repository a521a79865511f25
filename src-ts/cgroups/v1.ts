/**
 * cgroup v1's interface files, as the kernel documents them
 * (Documentation/admin-guide/cgroup-v1/): the only place that knows their names and
 * formats. One hierarchy per controller (or group: "cpu,cpuacct"). Pure functions from
 * limits to writes and from file contents to statistics, and the freezer's way of ending
 * every process of a cgroup where v2's cgroup.kill is missing.
 *
 *   memory   memory.limit_in_bytes, then memory.memsw.limit_in_bytes (memory + swap, at
 *            least the former; absent without swap accounting); memory.usage_in_bytes,
 *            memory.max_usage_in_bytes; memory.oom_control (flat keyed: oom_kill_disable,
 *            under_oom, oom_kill) and cgroup.event_control for its notification
 *   pids     pids.max ("max" or a number), pids.current, pids.peak
 *   cpu      cpu.cfs_period_us (100000 in a new cgroup), cpu.cfs_quota_us (-1: none)
 *   cpuacct  cpuacct.usage, cpuacct.usage_user, cpuacct.usage_sys (nanoseconds)
 *   freezer  freezer.state: THAWED, FREEZING, FROZEN
 */
import type { CgroupLimits } from '../config-limits.js';
import { isFsError, readText, sleep, writeText } from './files.js';
import { cfsQuota, defined, numberIn, parseKeyed, type CgroupStats, type LimitWrite } from './formats.js';
import { formatMax } from './v2.js';

export const V1_FILES = {
  procs: 'cgroup.procs',
  /** Threads: stage 0 enters through it (no global lock, see src-native/nsexec/cgroup_entry.h). */
  tasks: 'tasks',
  oomControl: 'memory.oom_control',
  eventControl: 'cgroup.event_control',
  cpuUsage: 'cpuacct.usage',
  freezerState: 'freezer.state',
} as const;


/** The writes that set `limits` in a v1 hierarchy with `controllers`, in order. */
export function v1LimitWrites(l: CgroupLimits, controllers: readonly string[]): LimitWrite[] {
  const out: LimitWrite[] = [];
  if (controllers.includes('memory') && l.memoryBytes !== undefined) {
    out.push({ limit: 'memoryBytes', file: 'memory.limit_in_bytes', value: String(l.memoryBytes) });
    // After the memory limit: memsw may never be below it. Swap off unless asked for.
    const swap = l.memorySwapBytes ?? 0;
    out.push({ limit: 'memorySwapBytes', file: 'memory.memsw.limit_in_bytes', value: String(l.memoryBytes + swap), optional: l.memorySwapBytes === undefined, after: true });
  }
  if (controllers.includes('pids') && l.pids !== undefined) out.push({ limit: 'pids', file: 'pids.max', value: formatMax(l.pids) });
  // A new cgroup's period is the default, CPU_PERIOD_US.
  if (controllers.includes('cpu') && l.cpus !== undefined) out.push({ limit: 'cpus', file: 'cpu.cfs_quota_us', value: String(cfsQuota(l.cpus)) });
  return out;
}

/** The files stats come from, for a v1 hierarchy with `controllers`. */
export function v1StatFiles(controllers: readonly string[]): string[] {
  const files: string[] = [];
  if (controllers.includes('memory')) files.push('memory.usage_in_bytes', 'memory.max_usage_in_bytes', V1_FILES.oomControl);
  if (controllers.includes('pids')) files.push('pids.current', 'pids.peak');
  if (controllers.includes('cpuacct')) files.push('cpuacct.usage_user', 'cpuacct.usage_sys', V1_FILES.cpuUsage);
  return files;
}

const NS_PER_US = 1000;

/** Stats from the files' contents (undefined: the kernel lacks the file). */
export function parseV1Stats(files: ReadonlyMap<string, string | undefined>): CgroupStats {
  const out: CgroupStats = {};
  const num = (f: string) => numberIn(files, f);
  const us = (f: string) => {
    const n = num(f);
    return n === undefined ? undefined : Math.round(n / NS_PER_US);
  };
  out.memoryBytes = num('memory.usage_in_bytes');
  out.memoryPeakBytes = num('memory.max_usage_in_bytes');
  const oom = files.get(V1_FILES.oomControl);
  if (oom !== undefined) {
    const k = parseKeyed(oom);
    // under_oom: it is out of memory now (the notification comes before the kill).
    out.oom = (k.get('oom_kill') ?? 0) > 0 || (k.get('under_oom') ?? 0) > 0;
  }
  out.pids = num('pids.current');
  out.pidsPeak = num('pids.peak');
  out.cpuUserUs = us('cpuacct.usage_user');
  out.cpuSystemUs = us('cpuacct.usage_sys');
  out.cpuUsageUs = us(V1_FILES.cpuUsage);
  return defined(out);
}

/** The pids cgroup.procs lists. */
export function parseProcs(text: string): number[] {
  return text.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
}

/**
 * Ends every process of a v1 freezer cgroup where there is no cgroup.kill: frozen, none
 * can fork while they are listed and SIGKILLed; thawed, they die.
 */
export async function freezeAndKill(dir: string): Promise<void> {
  const state = `${dir}/${V1_FILES.freezerState}`;
  await writeText(state, 'FROZEN');
  for (let i = 0; i < 200 && (await readText(state)).trim() !== 'FROZEN'; i++) await sleep(5);
  for (const pid of parseProcs(await readText(`${dir}/${V1_FILES.procs}`))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (e) {
      if (!isFsError(e, 'ESRCH')) throw e;
    }
  }
  await writeText(state, 'THAWED');
}

