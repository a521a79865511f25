/**
 * What a container's cgroups say it used, read while it runs (container.stats()) and once
 * it has ended (its ExitStatus): CPU time from v2's cpu.stat or v1's cpuacct, memory and
 * pids peaks, whether the OOM killer ran. Without a cgroup for something, the status keeps
 * what rusage said (status.ts), and container.stats() asks /proc.
 */
import * as path from 'node:path';
import type { ExitStatus, Stats } from '../status.js';
import type { ContainerCgroup, Placement } from './container-cgroup.js';
import { readIfExists, statFields } from './files.js';
import type { CgroupStats } from './formats.js';
import { parseV1Stats, v1StatFiles } from './v1.js';
import { parseV2Stats, v2StatFiles } from './v2.js';

/** container.stats(): Stats so far, and with cgroups what it holds now. */
export type LiveStats = Stats & { memoryBytes?: number; pids?: number };

const namesOf = (p: Placement) => (p.hierarchy.version === 2 ? v2StatFiles(p.controllers) : v1StatFiles(p.controllers));

/** The statistics files of a placement (full paths). */
export function statFilesOf(p: Placement): string[] {
  return namesOf(p).map((f) => path.join(p.dir, f));
}

/** Every placement's statistics from its files' text (undefined: not there), merged: v2 first, its CPU times win. */
export function parseCgroupFiles(placements: readonly Placement[], text: (path: string) => string | undefined): CgroupStats {
  const parts = [...placements]
    .sort((a, b) => a.hierarchy.version - b.hierarchy.version)
    .map((p) => {
      const files = new Map(namesOf(p).map((f) => [f, text(path.join(p.dir, f))]));
      return p.hierarchy.version === 2 ? parseV2Stats(files) : parseV1Stats(files);
    });
  return Object.assign({}, ...parts) as CgroupStats;
}

/** Every placement's statistics files, read now (in parallel). */
export async function readCgroupStats(placements: readonly Placement[]): Promise<CgroupStats> {
  const paths = placements.flatMap(statFilesOf);
  const texts = await Promise.all(paths.map((p) => readIfExists(p).catch(() => undefined)));
  const byPath = new Map(paths.map((p, i) => [p, texts[i]]));
  return parseCgroupFiles(placements, (p) => byPath.get(p));
}

/** Stats with what the cgroups know in place of what rusage or /proc said. */
export function applyCgroupStats(base: Stats, cg: CgroupStats): Stats {
  const stats = { ...base };
  if (cg.cpuUserUs !== undefined && cg.cpuSystemUs !== undefined) {
    stats.cpuUserMs = cg.cpuUserUs / 1000;
    stats.cpuSystemMs = cg.cpuSystemUs / 1000;
  } else if (cg.cpuUsageUs !== undefined) {
    stats.cpuUserMs = cg.cpuUsageUs / 1000; // a kernel that does not split it
    stats.cpuSystemMs = 0;
  }
  if (cg.memoryPeakBytes !== undefined) stats.memoryPeakBytes = cg.memoryPeakBytes;
  if (cg.pidsPeak !== undefined) stats.pidsPeak = cg.pidsPeak;
  return stats;
}

/** The status with what the cgroups know: exact CPU times, peaks, the OOM killer. */
export function withCgroupStats(status: ExitStatus, cg: CgroupStats): ExitStatus {
  const oomKilled = status.oomKilled || cg.oom === true;
  // The kernel ended it (v2's memory.oom.group): it died of SIGKILL, and this is why.
  const reason = oomKilled && (status.reason === 'signal' || status.reason === 'exit') ? 'oom' : status.reason;
  return { ...status, stats: applyCgroupStats(status.stats, cg), oomKilled, reason };
}

/**
 * Completes the main process's status once its pid namespace is empty (so the cgroup's
 * counters are final): exact CPU times and peaks, the OOM killer, what was not enforced.
 * `initGone` brings the statistics files' text the reactor read then; without it (the
 * init was never seen), they are read now.
 */
export function cgroupCompleter(cgroup: ContainerCgroup, initGone: Promise<Record<string, string> | undefined>): (s: ExitStatus) => Promise<ExitStatus> {
  return async (status) => {
    const files = await initGone;
    const cg = files ? cgroup.statsFrom(files) : await cgroup.stats();
    return { ...withCgroupStats(status, cg), unenforcedLimits: [...cgroup.unenforced] };
  };
}

/** USER_HZ: the unit of /proc/<pid>/stat's times on every Linux architecture. */
const TICKS_PER_S = 100;

/** utime + cutime, stime + cstime of a process (itself and the children it reaped), in ms. */
async function processCpu(pid: number): Promise<{ user: number; system: number } | undefined> {
  const stat = await readIfExists(`/proc/${pid}/stat`).catch(() => undefined);
  if (!stat) return undefined;
  const f = statFields(stat);
  const ms = (a: string, b: string) => ((Number(a) + Number(b)) * 1000) / TICKS_PER_S;
  return { user: ms(f[11], f[13]), system: ms(f[12], f[14]) };
}

/**
 * container.stats() while it runs. With a cgroup: the whole container. Without: the main
 * process and the descendants it reaped, to a hundredth of a second.
 */
export async function liveStats(wallMs: number, cgroup: ContainerCgroup | undefined, mainPid: number): Promise<LiveStats> {
  const cg = cgroup ? await cgroup.stats() : {};
  const base: Stats = { wallMs, cpuUserMs: 0, cpuSystemMs: 0 };
  if (cg.cpuUsageUs === undefined) {
    const cpu = await processCpu(mainPid);
    if (cpu) Object.assign(base, { cpuUserMs: cpu.user, cpuSystemMs: cpu.system });
  }
  const out: LiveStats = applyCgroupStats(base, cg);
  if (cg.memoryBytes !== undefined) out.memoryBytes = cg.memoryBytes;
  if (cg.pids !== undefined) out.pids = cg.pids;
  return out;
}
