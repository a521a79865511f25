/** Exit statuses: ExitStatus and RunResult (README.md, "API" and "Limits and results"). */
import * as os from 'node:os';
import type { ProfileMark } from './profile.js';
import type { CgroupLimitName } from './config-limits.js';
import type { NativeUsage } from './native.js';

/**
 * Why it ended: on its own ('exit'), by a signal nobody's limit sent ('signal': kill(), an
 * aborted signal, its own), or by a limit: wall time ('timeout': limits.wallTimeMs or the
 * timeout option), memory ('oom'), CPU time ('cpu-time'), output ('output').
 */
export type EndReason = 'exit' | 'signal' | 'timeout' | 'oom' | 'cpu-time' | 'output';
/** The limits that end a container. */
export type LimitReason = Exclude<EndReason, 'exit' | 'signal'>;

/** What it used. */
export interface Stats {
  /** The program's wall time: from its release (start(), or for run/exec when setup was done) to its exit. */
  wallMs: number;
  /** CPU time of the whole container (its cgroup), or without one of the main process and every descendant it or the init reaped. */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** With a memory cgroup, its peak (page cache and kernel memory included); otherwise the largest resident set of one process. */
  memoryPeakBytes?: number;
  /** With a pids cgroup: the most processes (and threads) it held at once. */
  pidsPeak?: number;
}

export interface ExitStatus {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Ended by limits.wallTimeMs or the timeout option: reason === 'timeout'. */
  timedOut: boolean;
  /** The memory limit was hit: the kernel's OOM killer ran in the container's cgroup. */
  oomKilled: boolean;
  reason: EndReason;
  stats: Stats;
  /** limits.enforce 'best-effort': the cgroup limits that could not be enforced here. */
  unenforcedLimits: CgroupLimitName[];
}

/** What the addon reported of a process tree's rusage. */
export type Usage = NativeUsage;

/** A status from the process's wait status, the limit that ended it (if any) and its rusage. */
export function buildStatus(o: { code: number | null; signal: number; endedBy?: LimitReason; usage?: Partial<Usage>; wallMs: number }): ExitStatus {
  const signal = signalName(o.signal);
  const u = o.usage ?? {};
  const stats: Stats = { wallMs: o.wallMs, cpuUserMs: (u.userUs ?? 0) / 1000, cpuSystemMs: (u.systemUs ?? 0) / 1000 };
  if (u.maxRssKb) stats.memoryPeakBytes = u.maxRssKb * 1024;
  return {
    exitCode: o.code,
    signal,
    timedOut: o.endedBy === 'timeout',
    oomKilled: o.endedBy === 'oom',
    reason: o.endedBy ?? (signal ? 'signal' : 'exit'),
    stats,
    unenforcedLimits: [],
  };
}

/** An exit status with the output: Buffers, or strings when an `encoding` was asked for (T = string). */
export interface RunResult<T extends string | Buffer = Buffer> extends ExitStatus {
  stdout: T;
  stderr: T;
  durationMs: number;
  /** With RunOptions.outputs: what was read back, by path inside the container. */
  files?: Record<string, Buffer>;
  /** With RunOptions.profile: where the time went, in time order. */
  profile?: ProfileMark[];
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(os.constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

export function signalName(n: number): NodeJS.Signals | null {
  return n ? (SIGNAL_NAMES.get(n) ?? null) : null;
}

/** 'SIGTERM' | 15 -> 15; throws TypeError/RangeError as ChildProcess.kill does. */
export function signalNumber(signal: NodeJS.Signals | number | undefined): number {
  if (signal === undefined) return os.constants.signals.SIGTERM;
  if (typeof signal === 'number') {
    if (!Number.isInteger(signal) || signal < 0 || signal > 64) throw new RangeError(`Unknown signal: ${signal}`);
    return signal;
  }
  const n = (os.constants.signals as Record<string, number>)[signal];
  if (n === undefined) throw new TypeError(`Unknown signal: ${signal}`);
  return n;
}
