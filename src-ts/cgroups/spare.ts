/**
 * A container's cgroups made one start ahead. Making them is a thread-pool round trip per
 * directory and per limit file (0.4 ms on a start's path for one v2 cgroup, 1.5-3 ms for
 * every limit on a v1 host, measured in bench/RESULTS.md); a code runner or a test harness
 * starts container after container with the same limits. So each create() with cgroup
 * limits takes the spare made for exactly those limits, if there is one, and another is
 * made in the background for the next.
 *
 * What a spare holds: empty cgroup directories with their limits written, nothing else
 * (no process, no fd). At most MAX_SPARES are kept (the oldest goes), each for TTL_MS at
 * most (the caller's cgroup, its parents and their controllers are re-read that often
 * anyway), and all are removed when Node exits; if Node is killed by a signal (which runs
 * no exit handler: a test runner ending its workers, a service stopped with SIGTERM), the
 * next start's sweep removes them with every other cgroup of a dead owner (cleanup.ts).
 * NSJAIL_TS_SPARE_CGROUPS=0 turns them off.
 */
import * as fs from 'node:fs';
import type { Limits } from '../config-limits.js';
import type { ContainerCgroup } from './container-cgroup.js';
import { TTL_MS } from './files.js';

const MAX_SPARES = 4;

interface Spare {
  made: Promise<ContainerCgroup | null>;
  /** Once made: for the synchronous removal at exit. */
  cgroup?: ContainerCgroup | null;
  timer: NodeJS.Timeout;
}

const spares = new Map<string, Spare>();
let exitHook = false;

/** What decides a container's cgroups: its cgroup limits, where they go and how strictly. */
function keyOf(limits: Limits, env: NodeJS.ProcessEnv): string {
  const { memoryBytes, memorySwapBytes, pids, cpus, cpuTimeMs, cgroupParent, enforce } = limits;
  return JSON.stringify([memoryBytes, memorySwapBytes, pids, cpus, cpuTimeMs, cgroupParent, enforce, env.NSJAIL_TS_CGROUP_PARENT ?? '']);
}

function discard(s: Spare): void {
  clearTimeout(s.timer);
  void s.made.then((c) => c?.remove()).catch(() => {});
}

function keep(key: string, make: () => Promise<ContainerCgroup | null>): void {
  if (spares.size >= MAX_SPARES) {
    const [oldestKey, oldest] = spares.entries().next().value!;
    spares.delete(oldestKey);
    discard(oldest);
  }
  const spare: Spare = {
    made: make(),
    timer: setTimeout(() => {
      if (spares.get(key) !== spare) return;
      spares.delete(key);
      discard(spare);
    }, TTL_MS).unref(),
  };
  spare.made.then(
    (c) => (spare.cgroup = c),
    () => {
      // Made again on the caller's path next time, which then throws the error itself.
      if (spares.get(key) === spare) spares.delete(key);
      clearTimeout(spare.timer);
    },
  );
  spares.set(key, spare);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', removeAllSync);
  }
}

/**
 * The cgroups for `limits`: a spare made ahead when there is one (made by `make` with
 * the same limits), else made now; either way the next one is made in the background.
 */
export async function withSpare(limits: Limits, env: NodeJS.ProcessEnv, make: () => Promise<ContainerCgroup | null>): Promise<ContainerCgroup | null> {
  if (env.NSJAIL_TS_SPARE_CGROUPS === '0') return make();
  const key = keyOf(limits, env);
  const spare = spares.get(key);
  spares.delete(key);
  if (spare) clearTimeout(spare.timer);
  // A spare that failed is made again here, so that this start throws the error itself.
  const taken = spare && (await spare.made.catch(() => undefined));
  const cgroup = taken !== undefined ? taken : await make();
  // The next start's, once this one is on its way (it must not wait behind it).
  setImmediate(() => {
    if (!spares.has(key)) keep(key, make);
  });
  return cgroup;
}

/**
 * The directories of the spares, once every spare under way is made (for tests: these
 * are kept, not left behind).
 */
export async function spareDirs(): Promise<string[]> {
  await Promise.all([...spares.values()].map((s) => s.made.catch(() => null)));
  return [...spares.values()].flatMap((s) => s.cgroup?.placements.map((p) => p.dir) ?? []);
}

/** At exit: only synchronous work runs. Empty cgroups go with a plain rmdir. */
function removeAllSync(): void {
  for (const s of spares.values())
    for (const dir of s.cgroup?.placements.map((p) => p.dir) ?? [])
      try {
        fs.rmdirSync(dir);
      } catch {
        // gone already, or the sweep of the next start will take it
      }
  spares.clear();
}
